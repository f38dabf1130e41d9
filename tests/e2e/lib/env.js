// The environment contract of the end-to-end tests (see README.md).

export function account(role) {
  const key = `HAREYAKA_${role.toUpperCase()}`;
  const login = process.env[key];
  if (!login) return null;
  return {
    login,
    password: process.env[`${key}_PASSWORD`] || '',
    totpSecret: process.env[`${key}_TOTP_SECRET`] || '',
  };
}

export const PORTAL_URL = process.env.HAREYAKA_URL || '';

export function skipUnless(...vars) {
  const missing = vars.filter((v) => !process.env[v]);
  return missing.length ? `needs the demo network: set ${missing.join(', ')} (see tests/e2e/README.md)` : false;
}
