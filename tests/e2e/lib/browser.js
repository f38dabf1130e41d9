// Launches Debian's Chromium through playwright-core (which never downloads a browser) and
// gives pages that record what a test needs to assert: console errors, CSP violations,
// failed requests and every host a request went to.

import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const CHROMIUM = process.env.HAREYAKA_CHROMIUM || '/usr/bin/chromium';
export const ARTIFACTS = path.resolve(process.env.HAREYAKA_ARTIFACTS || path.join(import.meta.dirname, '../../../build/e2e-artifacts'));

export const VIEWPORTS = {
  pc: { width: 1366, height: 900 },
  ipad_landscape: { width: 1024, height: 768 },
  ipad_portrait: { width: 768, height: 1024 },
};

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// A persistent context on a fresh user-data-dir: nothing leaks between test files.
export async function launch({ viewport = VIEWPORTS.pc, touch = false } = {}) {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium fonts-noto-cjk`);
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hareyaka-e2e-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM, headless: true, args: ARGS, ignoreHTTPSErrors: true, viewport,
    hasTouch: touch, locale: 'ja-JP', timezoneId: 'Asia/Tokyo', acceptDownloads: false,
  });
  context.setDefaultTimeout(15_000);
  const close = async () => {
    await context.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  };
  return { context, close };
}

// Wraps a page with recorders. Returns {page, log}.
export function watch(page) {
  const log = { consoleErrors: [], cspViolations: [], requests: [], failed: [], pageErrors: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') log.consoleErrors.push(m.text());
    if (/Content Security Policy/i.test(m.text())) log.cspViolations.push(m.text());
  });
  page.on('pageerror', (e) => log.pageErrors.push(String(e)));
  page.on('request', (r) => log.requests.push(r.url()));
  page.on('requestfailed', (r) => log.failed.push(`${r.url()} ${r.failure()?.errorText}`));
  return { page, log };
}

// Network requests to hosts other than the portal's own that the page asked for (data:/blob: are local).
export function foreignRequests(log, baseUrl) {
  const origin = new URL(baseUrl).origin;
  // chrome:/chrome-extension: are the browser's own (e.g. its built-in PDF viewer).
  return log.requests.filter((u) => /^(https?|wss?|ftp):/i.test(u) && new URL(u).origin !== origin);
}

export async function screenshot(page, name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  // A full-page shot of a scrolled page would paint the sticky header mid-page.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
