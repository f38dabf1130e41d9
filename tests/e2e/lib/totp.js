// RFC 6238 TOTP (HMAC-SHA1, 30 s, 6 digits) from a base32 secret, with node:crypto, so the
// tests can log in like a person holding an authenticator app.

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function base32Decode(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const clean = s.replace(/[\s=-]/g, '').toUpperCase();
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of clean) {
    const i = alphabet.indexOf(ch);
    if (i < 0) throw new Error(`base32: invalid character ${JSON.stringify(ch)}`);
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

export function totp(secret, { time = Date.now(), step = 30, digits = 6 } = {}) {
  const counter = Math.floor(time / 1000 / step);
  const buf = Buffer.alloc(8);
  buf.writeBigUInt64BE(BigInt(counter));
  const mac = crypto.createHmac('sha1', base32Decode(secret)).update(buf).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** digits;
  return String(code).padStart(digits, '0');
}

// The portal refuses a code twice (replay): wait for a time step this secret has not used,
// remembered across test processes in a small file (one run right after another would
// otherwise reuse the step).
const STEPS_FILE = path.join(os.tmpdir(), 'hareyaka-e2e-totp-steps.json');
function usedSteps() {
  try {
    return JSON.parse(fs.readFileSync(STEPS_FILE, 'utf8'));
  } catch {
    return {};
  }
}
export async function freshTotp(secret, step = 30) {
  const key = crypto.createHash('sha256').update(secret).digest('hex').slice(0, 16);  // not the secret itself
  for (;;) {
    const now = Math.floor(Date.now() / 1000 / step);
    const used = usedSteps();
    if (used[key] !== now) {
      used[key] = now;
      fs.writeFileSync(STEPS_FILE, JSON.stringify(used));
      return totp(secret);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
