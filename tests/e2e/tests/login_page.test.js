// The portal's root URL shows the Japanese login page, under the portal's CSP, and nothing
// is fetched from any other host (hospital networks are closed). With HAREYAKA_URL this runs
// against the real portal; without it, against portal/web served by the static test server
// with the same CSP, so the front end's own guarantees are still checked.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/static_server.js';
import { launch, watch, screenshot, foreignRequests, VIEWPORTS } from '../lib/browser.js';
import { PORTAL_URL } from '../lib/env.js';

let server = null;
let base = PORTAL_URL;
before(async () => {
  if (!base) {
    server = await startServer();
    base = server.url;
  }
});
after(async () => {
  await server?.close();
});

for (const [size, viewport] of Object.entries(VIEWPORTS)) {
  test(`login page renders in Japanese (${size}, ${PORTAL_URL ? 'portal' : 'static web root'})`, async () => {
    const { context, close } = await launch({ viewport, touch: size !== 'pc' });
    try {
      const { page, log } = watch(await context.newPage());
      const res = await page.goto(base + '/');
      assert.equal(res.status(), 200);
      if (PORTAL_URL) {
        const csp = res.headers()['content-security-policy'] || '';
        assert.match(csp, /default-src 'self'/, 'the portal sends its Content-Security-Policy');
      }
      await page.waitForSelector('[data-testid=login-form]');
      assert.equal(await page.getAttribute('html', 'lang'), 'ja');
      assert.equal(await page.locator('input[name=login_id]').count(), 1);
      assert.equal(await page.locator('input[name=password][type=password]').count(), 1);
      assert.equal(await page.locator('input[name=totp]').count(), 1);
      assert.equal(await page.textContent('h1'), 'ログイン');
      assert.equal(await page.textContent('[data-testid=login-submit]'), 'ログイン');
      assert.equal(await page.textContent('[data-testid=login-hpki]'), 'HPKIカードでログイン');
      assert.equal(await page.locator('label[for]').count(), 3, 'every field has a label');
      // Touch targets: the submit button and the inputs are at least 44 px high.
      for (const sel of ['[data-testid=login-submit]', '[data-testid=login-hpki]', 'input[name=login_id]', 'input[name=totp]']) {
        const box = await page.locator(sel).boundingBox();
        assert.ok(box.height >= 44, `${sel} is ${box.height}px high`);
      }
      // The Japanese glyphs come from a local font: the text has a real width.
      const width = await page.$eval('h1', (el) => el.getBoundingClientRect().width);
      assert.ok(width > 40);
      // The language toggle switches to English and back.
      await page.click('[data-testid=lang-toggle]');
      await page.waitForSelector('h1:text("Log in")');
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      await page.click('[data-testid=lang-toggle]');
      await page.waitForSelector('h1:text("ログイン")');
      await page.waitForLoadState('networkidle');
      await screenshot(page, `${PORTAL_URL ? 'portal' : 'static'}-${size}-login`);
      assert.deepEqual(foreignRequests(log, base), [], 'no request to any other host');
      assert.deepEqual(log.cspViolations, [], 'no CSP violation');
      assert.deepEqual(log.pageErrors, []);
      assert.deepEqual(log.failed.filter((f) => !/\/api\/v1\/session/.test(f)), [], 'every asset loads');
    } finally {
      await close();
    }
  });
}
