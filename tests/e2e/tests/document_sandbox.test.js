// Active content in a document (#15 leak 6), against the demo network. A facility's
// extended storage can hold an XHTML file (served as application/xml) with a script in it.
// The test puts such a file into a hospital's extended storage, opens it through the
// portal UI as a doctor, and then opens its URL directly, as a clinician would from a
// copied link. The script would read the CSRF token from /api/v1/session, write it to
// localStorage and report it to /pwned-marker; none of that may happen in the portal's
// origin. A control first serves the same file in the portal's origin without the
// portal's headers (intercepted in the browser), to show the markers do catch a leak.
//
// Needs HAREYAKA_URL, the doctor account and HAREYAKA_EXTENDED_ROOTS
// ("<facility oid>=<extended storage root>;..."), which tests/integration/browser_e2e.sh sets.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { launch, watch, screenshot } from '../lib/browser.js';
import { account, PORTAL_URL, skipUnless } from '../lib/env.js';
import { freshTotp } from '../lib/totp.js';

const doctor = account('doctor');
const ROOTS = Object.fromEntries((process.env.HAREYAKA_EXTENDED_ROOTS || '').split(';').filter(Boolean)
  .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
// One data type per run, so that the list row is this run's document.
const PROBE_NAME = `XhtmlProbe${Date.now()}`;
const PROBE_TYPE = `XSSPROBE^${PROBE_NAME}^99HYK^^^`;
const PROBE_FILE = 'probe.xml';

// The malicious document. Every marker names the path of the page it ran in.
const PROBE = `<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml"><head><title>紹介状</title>
<script>//<![CDATA[
(async () => {
  const here = location.pathname;
  const report = (what) => { try { new Image().src = '/pwned-marker?at=' + encodeURIComponent(here) + '&' + what; } catch (e) {} };
  report('ran=1');
  try { localStorage.setItem('hareyaka-pwned:' + here, 'ran'); } catch (e) {}
  try {
    const s = await (await fetch('/api/v1/session', { credentials: 'include' })).json();
    try { localStorage.setItem('hareyaka-pwned:' + here, s.csrf_token); } catch (e) {}
    report('csrf=' + encodeURIComponent(s.csrf_token));
  } catch (e) { report('fetch_failed=1'); }
  report('cookie=' + encodeURIComponent(document.cookie));
})();
//]]></script></head>
<body><p>紹介状本文 probe</p><img src="/pwned-marker?img=1" alt=""/></body></html>
`;

const browsers = [];
const cleanup = [];
after(async () => {
  for (const b of browsers) await b.close().catch(() => {});
  for (const f of cleanup) f();
});

// page.waitForFunction evaluates strings, which the portal's CSP refuses: poll instead.
async function poll(cond, ms, what) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function login(page, acct) {
  await page.goto(PORTAL_URL + '/#/login');
  await page.waitForSelector('[data-testid=login-form]');
  await page.fill('input[name=login_id]', acct.login);
  await page.fill('input[name=password]', acct.password);
  await page.fill('input[name=totp]', await freshTotp(acct.totpSecret));
  await page.click('[data-testid=login-submit]');
  await page.waitForSelector('[data-testid=logout]', { timeout: 20_000 });
}

// A person the doctor may see with a document at a facility whose storage the test can
// write: {person_id, facility_oid, file} (file: the document's path in that storage).
async function personWithDocument(page) {
  return page.evaluate(async (oids) => {
    let cursor = '';
    for (let n = 0; n < 20; n++) {
      const list = await (await fetch(`/api/v1/persons?page_size=50${cursor ? `&cursor=${cursor}` : ''}`)).json();
      for (const p of list.items || []) {
        const docs = await (await fetch(`/api/v1/persons/${encodeURIComponent(p.person_id)}/documents?page_size=5`)).json();
        for (const d of docs.items || []) {
          if (oids.includes(d.facility_oid) && d.source && d.source.file) {
            return { person_id: p.person_id, facility_oid: d.facility_oid, file: d.source.file };
          }
        }
      }
      if (!list.next_cursor) break;
      cursor = encodeURIComponent(list.next_cursor);
    }
    return null;
  }, Object.keys(ROOTS));
}

async function probeDocument(page, personId) {
  return page.evaluate(async ([pid, name, type]) => {
    const docs = await (await fetch(`/api/v1/persons/${encodeURIComponent(pid)}/documents?page_size=200`)).json();
    const d = (docs.items || []).find((x) => x.file === name && x.type && x.type.display === type);
    return d ? { id: d.id, facility_oid: d.facility_oid } : null;
  }, [personId, PROBE_FILE, PROBE_NAME]);
}

test('a script in a stored XHTML document never runs in the portal origin (UI and direct URL)',
  { skip: skipUnless('HAREYAKA_URL', 'HAREYAKA_DOCTOR', 'HAREYAKA_EXTENDED_ROOTS') }, async () => {
    const b = await launch();
    browsers.push(b);
    const markers = [];
    b.context.on('request', (r) => {
      if (new URL(r.url()).pathname === '/pwned-marker') markers.push(r.url());
    });
    const { page } = watch(await b.context.newPage());
    await login(page, doctor);
    const csrf = await page.evaluate(async () => (await (await fetch('/api/v1/session')).json()).csrf_token);
    assert.ok(csrf, 'the session has a CSRF token');

    // Control: the same file in the portal's origin without the portal's headers runs, reads
    // the token and reports it, so the markers below would catch a leak.
    await b.context.route(PORTAL_URL + '/probe-control.xml', (route) => route.fulfill({
      status: 200, contentType: 'application/xml', body: PROBE,
    }));
    const control = await b.context.newPage();
    await control.goto(PORTAL_URL + '/probe-control.xml');
    await poll(() => markers.some((m) => m.includes(`csrf=${encodeURIComponent(csrf)}`)), 20_000,
      'the control page reports the CSRF token');
    assert.equal(await page.evaluate(() => localStorage.getItem('hareyaka-pwned:/probe-control.xml')), csrf);
    await control.close();
    await page.evaluate(() => localStorage.clear());
    markers.length = 0;

    // The file, in the storage of a hospital, for a person the doctor sees.
    const target = await personWithDocument(page);
    assert.ok(target, 'a person with a document at a hospital of the demo network');
    const parts = target.file.split('/');
    assert.equal(parts.length, 7, `an extended storage path: ${target.file}`);
    const typeFolder = path.join(ROOTS[target.facility_oid], ...parts.slice(0, 4), PROBE_TYPE);
    fs.mkdirSync(path.join(typeFolder, 'probe'), { recursive: true });
    cleanup.push(() => fs.rmSync(typeFolder, { recursive: true, force: true }));
    fs.writeFileSync(path.join(typeFolder, 'probe', PROBE_FILE), PROBE);
    const doc = await poll(() => probeDocument(page, target.person_id), 60_000, 'the gateway lists the probe document');

    // Through the UI: the documents tab fetches it as data and shows its text only.
    await page.goto(`${PORTAL_URL}/#/patients/${encodeURIComponent(target.person_id)}/documents`);
    const button = page.locator('button.doc-open', { hasText: PROBE_NAME });
    await button.waitFor();
    const shown = page.waitForResponse((r) => new URL(r.url()).pathname.endsWith(`/${encodeURIComponent(doc.id)}`));
    await button.click();
    const res = await shown;
    await page.waitForSelector('[data-testid=doc-viewer] pre');
    assert.match(await page.textContent('[data-testid=doc-viewer] pre'), /紹介状本文 probe/);
    assert.equal(await page.locator('[data-testid=doc-viewer] :is(script, img, iframe, object, embed)').count(), 0);
    await screenshot(page, 'portal-pc-document-probe');
    const h = res.headers();
    assert.match(h['content-disposition'] || '', /^attachment\b/, 'the document is served as an attachment');
    assert.equal(h['x-content-type-options'], 'nosniff');
    assert.match(h['content-security-policy'] || '', /\bsandbox\b/);
    assert.match(h['content-security-policy'] || '', /default-src 'none'/);

    // Its URL opened directly (a new tab, the session cookie sent): a download, never a
    // document of the portal's origin (and so no script of it can run there).
    const url = `${PORTAL_URL}/api/v1/persons/${encodeURIComponent(target.person_id)}/documents/${encodeURIComponent(doc.facility_oid)}/${encodeURIComponent(doc.id)}`;
    const direct = await b.context.newPage();
    let navigated = null;
    try {
      navigated = await direct.goto(url);
    } catch (e) {
      assert.match(String(e), /Download is starting|net::ERR_ABORTED/, String(e));
    }
    assert.ok(navigated === null, `the direct URL does not render the document (it answered ${navigated?.status()} ${navigated?.headers()['content-disposition']})`);
    assert.notEqual(direct.url(), url, 'no page of the portal origin holds the document');

    // Nothing ran: no marker request, nothing in the portal origin's storage.
    assert.deepEqual(markers, []);
    assert.deepEqual(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('hareyaka-pwned'))), []);
  });
