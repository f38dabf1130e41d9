// Logging in to the portal through its form, as a person would (shared by the end-to-end
// tests).

import { PORTAL_URL } from './env.js';
import { freshTotp } from './totp.js';

// page.waitForFunction evaluates strings, which the portal's CSP refuses: poll instead.
export async function poll(cond, ms = 20_000, what = 'condition') {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// Logs in through the form; completes first-login TOTP enrolment from the screen if asked.
// Returns the enrolled secret (the given one, or the one the portal just issued).
export async function login(page, acct) {
  await page.goto(PORTAL_URL + '/#/login');
  await page.waitForSelector('[data-testid=login-form]');
  await page.fill('input[name=login_id]', acct.login);
  await page.fill('input[name=password]', acct.password);
  await page.fill('input[name=totp]', acct.totpSecret ? await freshTotp(acct.totpSecret) : '');
  await page.click('[data-testid=login-submit]');
  const which = await poll(async () => {
    if (await page.locator('[data-testid=enrol-secret]').count()) return 'enrol';
    if (await page.locator('[data-testid=logout]').count()) return 'in';
    if (await page.locator('[data-testid=login-error]').count()) return 'error';
    return null;
  }, 20_000, 'login result');
  if (which === 'error') throw new Error(`login of ${acct.login} refused: ${await page.textContent('[data-testid=login-error]')}`);
  let secret = acct.totpSecret;
  if (which === 'enrol') {
    secret = (await page.textContent('[data-testid=enrol-secret]')).replace(/\s/g, '');
    await page.fill('[data-testid=enrol-form] input[name=totp]', await freshTotp(secret));
    await page.click('[data-testid=enrol-submit]');
    await page.waitForSelector('[data-testid=logout]');
  }
  return secret;
}
