// A tiny HTTP server for front-end-only tests and for development screenshots: serves
// portal/web with the portal's Content-Security-Policy and, when a fixtures folder is
// given, answers /api/v1 (DICOMweb and WADO under a person's imaging/{facility}) from JSON files that follow docs/api.md.
// It is never used in place of the real portal in the end-to-end tests.

import http from 'node:http';
import https from 'node:https';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const WEB_ROOT = path.resolve(here, '../../../portal/web');
export const FIXTURES = path.resolve(here, '../fixtures');
export const CSP = "default-src 'self'; img-src 'self' blob: data:; frame-src 'self' blob:; object-src 'self' blob:; style-src 'self'; script-src 'self'";

export const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.pdf': 'application/pdf',
  '.xml': 'text/xml; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.woff2': 'font/woff2',
};

function send(res, status, body, type, extra = {}) {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', 'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff', ...extra });
  res.end(body);
}

function sendError(res, status, error, message) {
  send(res, status, JSON.stringify({ error, message, request_id: `fx-${Date.now().toString(16)}` }), 'application/json');
}

async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const s = Buffer.concat(chunks).toString('utf8');
  if (!s) return {};
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}

async function readJson(file) {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (e) {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  }
}

// A grey-scale BMP (Chromium decodes BMP in <img>) of a synthetic "slice": a disc whose
// size follows the instance number, windowed by windowCenter/windowWidth, so a developer
// can see paging and window/level change without a real PACS.
function syntheticSlice(index, wc = 40, ww = 400, size = 256) {
  const rowBytes = size * 3;
  const header = Buffer.alloc(54);
  header.write('BM', 0);
  header.writeUInt32LE(54 + rowBytes * size, 2);
  header.writeUInt32LE(54, 10);
  header.writeUInt32LE(40, 14);
  header.writeInt32LE(size, 18);
  header.writeInt32LE(size, 22);
  header.writeUInt16LE(1, 26);
  header.writeUInt16LE(24, 28);
  const px = Buffer.alloc(rowBytes * size);
  const r = 40 + (index % 20) * 3;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const dx = x - size / 2;
      const dy = y - size / 2;
      const d = Math.sqrt(dx * dx + dy * dy);
      let hu = -1000;
      if (d < 110) hu = 40 + 20 * Math.sin(x / 9);
      if (d < r) hu = 300;
      if (Math.abs(dx) < 8 && dy > -20 && dy < 60) hu = 1000;
      const v = Math.max(0, Math.min(255, Math.round(((hu - (wc - ww / 2)) / ww) * 255)));
      const o = y * rowBytes + x * 3;
      px[o] = px[o + 1] = px[o + 2] = v;
    }
  }
  return Buffer.concat([header, px]);
}

async function fixtureApi(req, res, url, fixtures, state) {
  const p = url.pathname;
  const cookie = /hareyaka_session=([\w-]+)/.exec(req.headers.cookie || '')?.[1];
  const session = cookie ? state.sessions.get(cookie) : null;
  if (p === '/api/v1/session' && req.method === 'POST') {
    const body = await readBody(req);
    if (!body || typeof body.login_id !== 'string') return sendError(res, 400, 'bad_request', 'login_id: required');
    const fx = await readJson(path.join(fixtures, 'sessions', `${path.basename(body.login_id)}.json`));
    if (!fx || body.password !== fx.password || !/^\d{6}$/.test(body.totp || '')) return sendError(res, 401, 'unauthorized', 'wrong credentials');
    if (fx.status !== 200) return send(res, fx.status, JSON.stringify(fx.body), 'application/json');
    // First login: the second call carries the issued secret and a code from it.
    const body0 = fx.body.enrolment_required && body.enrolment_secret === fx.body.secret ? fx.after : fx.body;
    if (body0 !== fx.body) fx.body = body0;
    if (fx.body.enrolment_required) return send(res, 200, JSON.stringify(fx.body), 'application/json');
    const id = `s${state.sessions.size + 1}${Date.now().toString(36)}`;
    state.sessions.set(id, fx.body);
    return send(res, 200, JSON.stringify(fx.body), 'application/json', { 'Set-Cookie': `hareyaka_session=${id}; Path=/; HttpOnly; SameSite=Strict` });
  }
  if (p === '/api/v1/session/hpki' && req.method === 'POST') return sendError(res, 401, 'unauthorized', 'no client certificate');
  if (!session) return sendError(res, 401, 'unauthorized', 'no session');
  if (req.method !== 'GET' && req.headers['x-csrf-token'] !== session.csrf_token) return sendError(res, 403, 'csrf', 'missing or wrong X-CSRF-Token');
  if (p === '/api/v1/session') {
    if (req.method === 'DELETE') {
      state.sessions.delete(cookie);
      return send(res, 204, '', 'text/plain');
    }
    return send(res, 200, JSON.stringify(session), 'application/json');
  }
  if (/^\/api\/v1\/persons\/[^/]+\/imaging\/[^/]+\/wado$/.test(p)) {
    const q = url.searchParams;
    const n = Number(/(\d+)$/.exec(q.get('objectUID') || '')?.[1] || 0);
    const wc = Number(q.get('windowCenter') || 40);
    const ww = Number(q.get('windowWidth') || 400);
    return send(res, 200, syntheticSlice(n, wc, ww), 'image/bmp');
  }
  if (req.method === 'POST' && p.startsWith('/api/v1/admin/import/')) {
    // A CSV file as it is: the fixture report (a dry run with one error).
    const chunks = [];
    for await (const c of req) chunks.push(c);
    state.entry.body = Buffer.concat(chunks);
    return send(res, 200, await fs.readFile(path.join(fixtures, 'import-report.json')), 'application/json');
  }
  if (req.method !== 'GET') {
    const body = await readBody(req);
    state.entry.body = body;
    if (body === null) return sendError(res, 400, 'bad_request', 'body: not JSON');
    if (p.endsWith('/audit/verify')) return send(res, 200, JSON.stringify({ ok: true }), 'application/json');
    return send(res, req.method === 'POST' ? 201 : 200, JSON.stringify(body), 'application/json');
  }
  // GET: a file named after the path, profession-specific first (x.pharmacist.json).
  const rel = decodeURIComponent(p).replace(/\.\.+/g, '');
  const prof = session.user?.profession;
  for (const candidate of [`${rel}.${prof}.json`, `${rel}.json`]) {
    const file = path.join(fixtures, candidate);
    try {
      const data = await fs.readFile(file);
      return send(res, 200, data, 'application/json');
    } catch {
      // try the next
    }
  }
  // Documents are stored with their own extension.
  for (const ext of ['.pdf', '.xml', '.png']) {
    try {
      const data = await fs.readFile(path.join(fixtures, rel + ext));
      return send(res, 200, data, CONTENT_TYPES[ext]);
    } catch {
      // try the next
    }
  }
  return sendError(res, 404, 'not_found', 'not found');
}

// Development against a running portal before it serves portal/web itself: API, WADO and
// DICOMweb requests are forwarded to `proxy` (its dev CA is not checked: loopback only).
function forward(req, res, proxy) {
  const target = new URL(req.url, proxy);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)) return sendError(res, 502, 'unavailable', 'proxy: loopback only');
  const headers = { ...req.headers, host: target.host };
  const up = https.request(target, { method: req.method, headers, rejectUnauthorized: false }, (r) => {
    res.writeHead(r.statusCode, r.headers);
    r.pipe(res);
  });
  up.on('error', (e) => sendError(res, 502, 'unavailable', `proxy: ${e.message}`));
  req.pipe(up);
}

// startServer({fixtures: FIXTURES | null, proxy: 'https://127.0.0.1:port' | null}) → {url, close, requests}
export async function startServer({ fixtures = null, root = WEB_ROOT, proxy = null } = {}) {
  const state = { sessions: new Map() };
  const requests = [];
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    const entry = { method: req.method, path: url.pathname, headers: req.headers, body: undefined };
    requests.push(entry);
    state.entry = entry;
    try {
      if (url.pathname.startsWith('/api/')) {
        if (proxy) return forward(req, res, proxy);
        if (!fixtures) return sendError(res, 404, 'not_found', 'no API on the static server');
        return await fixtureApi(req, res, url, fixtures, state);
      }
      let rel = decodeURIComponent(url.pathname);
      if (rel === '/') rel = '/index.html';
      const file = path.resolve(root, `.${rel}`);
      if (!file.startsWith(root + path.sep)) return sendError(res, 404, 'not_found', 'not found');
      const data = await fs.readFile(file);
      return send(res, 200, data, CONTENT_TYPES[path.extname(file)] || 'application/octet-stream');
    } catch (e) {
      if (e.code === 'ENOENT' || e.code === 'EISDIR') return sendError(res, 404, 'not_found', 'not found');
      return sendError(res, 500, 'internal', String(e.message));
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(resolve); }),
  };
}

// Development: node lib/static_server.js [--fixtures | --proxy https://127.0.0.1:PORT]
// prints the URL and keeps serving.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--proxy');
  const s = await startServer({ fixtures: process.argv.includes('--fixtures') ? FIXTURES : null, proxy: i > 0 ? process.argv[i + 1] : null });
  console.log(s.url);
}
