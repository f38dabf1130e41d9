// End-to-end tests against a running demo network (the real portal, gateways and
// PostgreSQL): they need HAREYAKA_URL and the demo accounts (README.md) and are skipped,
// saying so, when those are not set. Screenshots of each main page at PC and iPad sizes go
// to $HAREYAKA_ARTIFACTS.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { launch, watch, screenshot, foreignRequests, VIEWPORTS } from '../lib/browser.js';
import { account, PORTAL_URL, skipUnless } from '../lib/env.js';
import { login, poll } from '../lib/login.js';

const doctor = account('doctor');
const pharmacist = account('pharmacist');
const admin = account('admin');
const officer = account('officer');
const dataManager = account('datamanager');
const JAHIS_FILE = new URL('../../data/jahis/simple.csv', import.meta.url).pathname;
const FHIR_FILE = new URL('../../data/fhir/ereferral.json', import.meta.url).pathname;
const SHARED = process.env.HAREYAKA_SHARED_PATIENT || '';

const browsers = [];
async function open(viewport = VIEWPORTS.pc) {
  const b = await launch({ viewport });
  browsers.push(b);
  return watch(await b.context.newPage());
}
after(async () => {
  for (const b of browsers) await b.close().catch(() => {});
});


async function shots(page, name) {
  for (const [size, vp] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(vp);
    await page.waitForLoadState('networkidle').catch(() => {});
    await screenshot(page, `portal-${size}-${name}`);
  }
  await page.setViewportSize(VIEWPORTS.pc);
}

// Opens the shared patient: HAREYAKA_SHARED_PATIENT searched by name, else a listed person
// with ids at two or more facilities (and, with needDocuments, at least one document),
// found through the search form by kana name. Returns the person id from the URL.
async function openSharedPatient(page, { needDocuments = false } = {}) {
  let query = SHARED;
  if (!query) {
    query = await page.evaluate(async (docs) => {
      let cursor = '';
      for (let pageNo = 0; pageNo < 10; pageNo++) {
        const r = await fetch(`/api/v1/persons?page_size=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { credentials: 'same-origin' });
        const list = await r.json();
        for (const p of list.items || []) {
          if ((p.identifiers || []).length < 2) continue;
          if (docs) {
            const d = await (await fetch(`/api/v1/persons/${encodeURIComponent(p.person_id)}/documents?page_size=1`, { credentials: 'same-origin' })).json();
            if (!(d.items || []).length) continue;
          }
          return p.name_kana || p.name_kanji;
        }
        if (!list.next_cursor) break;
        cursor = list.next_cursor;
      }
      return null;
    }, needDocuments);
    assert.ok(query, `a patient known at two facilities${needDocuments ? ' with a document' : ''} is listed`);
  }
  await page.goto(PORTAL_URL + '/#/patients');
  await page.waitForSelector('[data-testid=patient-search]');
  // The list shown before the search stays until the search's page replaces it (the API
  // gave the searched name from that very list), so mark it and read only the new table.
  await page.$$eval('table.patients', (tables) => tables.forEach((t) => t.setAttribute('data-stale', '1')));
  await page.fill('[data-testid=patient-search] input[name=q]', query);
  await page.click('[data-testid=patient-search] button[type=submit]');
  const target = await poll(async () => {
    for (const tr of await page.$$('table.patients:not([data-stale]) tbody tr')) {
      if ((await tr.$$('ul.ids li')).length >= 2) return tr;
    }
    return null;
  }, 20_000, `the search for ${query} finds a patient known at two facilities`);
  await (await target.$('a.person-link')).click();
  await page.waitForSelector('[data-testid=patient-header]');
  return decodeURIComponent(/#\/patients\/([^/?]+)/.exec(page.url())[1]);
}

test('doctor: finds a shared patient, timeline of both hospitals, labs and trend, a document',
  { skip: skipUnless('HAREYAKA_URL', 'HAREYAKA_DOCTOR') }, async () => {
    const { page, log } = await open();
    await login(page, doctor);
    await page.waitForSelector('table.patients tbody tr');
    await shots(page, 'patients');

    await openSharedPatient(page, { needDocuments: true });
    await page.waitForSelector('[data-testid=timeline] li');
    const facilities = new Set(await page.locator('[data-testid=timeline] .fac-tag').allTextContents());
    assert.ok(facilities.size >= 2, `visits from two hospitals in one timeline (saw ${[...facilities].join(', ')})`);
    await shots(page, 'timeline');

    await page.click('a[data-tab=lab_results]');
    await page.waitForSelector('[data-testid=lab-table] tbody tr');
    const items = page.locator('[data-testid=lab-table] button.lab-item');
    assert.ok((await items.count()) > 0, 'lab items listed');
    // Chart the first item that has a numeric value.
    let charted = false;
    for (let i = 0; i < (await items.count()) && !charted; i++) {
      await items.nth(i).click();
      charted = (await page.locator('[data-testid=trend-chart] circle').count()) > 0;
    }
    assert.ok(charted, 'a trend chart with points is drawn');
    await shots(page, 'labs');

    await page.click('a[data-tab=documents]');
    await page.waitForSelector('button.doc-open');
    const docResponse = page.waitForResponse((r) => /\/api\/v1\/persons\/[^/]+\/documents\/[^/]+\/[^/]+$/.test(new URL(r.url()).pathname));
    await page.locator('button.doc-open').first().click();
    const doc = await docResponse;
    assert.equal(doc.status(), 200);
    await page.waitForSelector('[data-testid=doc-viewer] :is([data-testid=pdf-frame], [data-testid=cda], img, pre)');
    await shots(page, 'document');
    if (/application\/pdf/.test(doc.headers()['content-type'] || '')) {
      // Chromium's viewer cannot be looked into; check the bytes it was given are a PDF with
      // a page (otherwise it shows "Failed to load PDF document").
      // Fetched again with the page's cookies: the browser streamed the first copy away.
      const cookie = (await page.context().cookies(doc.url())).map((c) => `${c.name}=${c.value}`).join('; ');
      const again = await page.context().request.get(doc.url(), { headers: { cookie } });
      const text = (await again.body()).toString('latin1');
      assert.equal(text.slice(0, 5), '%PDF-', text.slice(0, 200));
      assert.ok((text.match(/\/Type\s*\/Page(?!s)/g) || []).length > 0, 'the PDF has at least one page');
    }

    assert.deepEqual(foreignRequests(log, PORTAL_URL), []);
    assert.deepEqual(log.cspViolations, []);
    assert.deepEqual(log.pageErrors, []);
  });

test('doctor: a radiology study opens in the image viewer; wheel and drag change the image',
  { skip: skipUnless('HAREYAKA_URL', 'HAREYAKA_DOCTOR') }, async () => {
    const { page, log } = await open();
    await login(page, doctor);
    await page.waitForSelector('table.patients tbody tr');
    // A person whose imaging list has a multi-slice study held by a gateway (the demo
    // gateways import one generated study per radiology order).
    const personId = await page.evaluate(async () => {
      let cursor = '';
      for (let pageNo = 0; pageNo < 10; pageNo++) {
        const r = await fetch(`/api/v1/persons?page_size=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { credentials: 'same-origin' });
        const list = await r.json();
        for (const p of list.items || []) {
          const res = await fetch(`/api/v1/persons/${encodeURIComponent(p.person_id)}/imaging`, { credentials: 'same-origin' });
          if (!res.ok) continue;
          const items = (await res.json()).items || [];
          if (items.some((i) => i.kind === 'study' && i.instances > 1)) return p.person_id;
        }
        if (!list.next_cursor) break;
        cursor = list.next_cursor;
      }
      return null;
    });
    assert.ok(personId, 'a person with a multi-slice study is listed');
    await page.goto(`${PORTAL_URL}/#/patients/${encodeURIComponent(personId)}`);
    await page.waitForSelector('[data-testid=patient-header]');
    await page.click('a[data-tab=imaging]');
    await page.waitForSelector('table.studies tbody tr');
    // The study rows (modality CT or MR: 12 slices).
    const rows = page.locator('table.studies tbody tr', { hasText: /CT|MR/ });
    assert.ok((await rows.count()) > 0, 'a CT or MR study is listed');
    await rows.first().locator('button').click();
    await page.waitForSelector('[data-testid=viewer-image][src]');
    await poll(async () => page.$eval('[data-testid=viewer-image]', (img) => img.complete && img.naturalWidth > 0), 20_000, 'the rendered image is shown');
    const src1 = await page.getAttribute('[data-testid=viewer-image]', 'src');
    assert.ok(Number(await page.getAttribute('.viewer-slider', 'max')) > 1, 'the series has several slices');
    await page.locator('[data-testid=viewer]').scrollIntoViewIfNeeded();
    assert.match(src1, new RegExp(`/api/v1/persons/${personId}/imaging/[0-9.]+/wado\\?`), 'images come through the person\'s imaging URL');
    const box = await page.locator('[data-testid=viewer]').boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, 200);
    await poll(async () => (await page.getAttribute('[data-testid=viewer-image]', 'src')) !== src1, 20_000, 'the next slice');
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 100, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await poll(async () => /windowWidth=(\d+)/.exec(await page.getAttribute('[data-testid=viewer-image]', 'src'))?.[1] > 400, 20_000, 'a wider window');
    await poll(async () => page.$eval('[data-testid=viewer-image]', (img) => img.complete && img.naturalWidth > 0), 20_000, 'the re-windowed image is shown');
    await shots(page, 'imaging');
    assert.deepEqual(foreignRequests(log, PORTAL_URL), []);
    assert.deepEqual(log.cspViolations, []);
    assert.deepEqual(log.pageErrors, []);
  });

test('pharmacist: only diagnoses and prescriptions (and what policy adds), other categories refused',
  { skip: skipUnless('HAREYAKA_URL', 'HAREYAKA_PHARMACIST') }, async () => {
    const { page } = await open();
    await login(page, pharmacist);
    const personId = await openSharedPatient(page);
    const tabs = await page.$$eval('nav.tabs a[data-tab]', (as) => as.map((a) => a.dataset.tab));
    assert.ok(tabs.includes('diagnoses') && tabs.includes('prescriptions'), `diagnoses and prescriptions shown (${tabs})`);
    for (const absent of ['encounters', 'lab_results', 'imaging', 'reports', 'documents', 'injections']) {
      assert.ok(!tabs.includes(absent), `${absent} tab is not shown`);
    }
    await page.click('a[data-tab=prescriptions]');
    await page.waitForSelector('table.prescriptions tbody tr, [data-testid=tab-panel] .empty');
    await shots(page, 'pharmacist');
    const statuses = await page.evaluate(async (id) => {
      const out = {};
      for (const c of ['encounters', 'lab_results', 'imaging', 'documents']) {
        const r = await fetch(`/api/v1/persons/${encodeURIComponent(id)}/${c}`, { credentials: 'same-origin' });
        out[c] = r.status;
      }
      return out;
    }, personId);
    for (const [c, s] of Object.entries(statuses)) assert.ok(s === 403 || s === 404, `${c} answers ${s}`);
  });

test('administrator registers a facility and a user, who then logs in',
  { skip: skipUnless('HAREYAKA_URL', 'HAREYAKA_ADMIN') }, async () => {
    const { page } = await open();
    await login(page, admin);
    await page.goto(PORTAL_URL + '/#/admin/facilities');
    await page.waitForSelector('[data-testid=admin-facilities] table tbody tr');
    await shots(page, 'admin-facilities');
    const code = String(9000000 + (Date.now() % 999999));
    const oid = `1.2.392.200284.33.${code}`;
    await page.click('[data-testid=admin-facilities] .add-box > summary');
    const f = page.locator('[data-testid=facility-form]');
    await f.waitFor();
    await f.locator('input[name=prefecture]').fill('33');
    await f.locator('input[name=code]').fill(code);
    await f.locator('input[name=name]').fill(`テスト診療所${code}`);
    await f.locator('input[name=name_kana]').fill('テストシンリョウジョ');
    await f.locator('select[name=kind]').selectOption('clinic');
    await f.locator('input[name=municipality]').fill('33101');
    await f.locator('button[type=submit]').click();
    await f.locator('.alert-success, .alert-error').waitFor();
    assert.equal(await f.locator('.alert-error').count(), 0, await f.locator('.alert-error').textContent().catch(() => ''));

    await page.goto(PORTAL_URL + '/#/admin/users');
    const u = page.locator('[data-testid=user-form]');
    await u.waitFor();
    const loginId = `e2e-${code}`;
    const password = `Pw-${code}-晴れ`;
    await u.locator('input[name=login_id]').fill(loginId);
    await u.locator('input[name=display_name]').fill('試験 太郎');
    await u.locator('input[name=facility_oid]').fill(oid);
    await u.locator('select[name=profession]').selectOption('doctor');
    await u.locator('input[name=password]').fill(password);
    await u.locator('button[type=submit]').click();
    await u.locator('.alert-success, .alert-error').waitFor();
    assert.equal(await u.locator('.alert-error').count(), 0, await u.locator('.alert-error').textContent().catch(() => ''));
    await shots(page, 'admin-users');
    for (const s of ['policy', 'audit']) {
      await page.goto(`${PORTAL_URL}/#/admin/${s}`);
      await page.waitForSelector(`[data-testid=admin-${s}]`);
      await shots(page, `admin-${s}`);
    }
    await page.click('[data-testid=audit-verify]');
    await page.waitForSelector('[data-testid=verify-status] .alert-success');

    const fresh = await open();
    await login(fresh.page, { login: loginId, password, totpSecret: '' });
    await fresh.page.waitForSelector('h1');
    assert.equal(await fresh.page.locator('[data-testid=logout]').count(), 1, 'the new user is logged in');
  });

// browser_e2e.sh first appends six months of generated views (tests/bench/stats_gen.cpp)
// to the demo network's audit chain, imaging for six patients only.
test('administrator: usage statistics page, suppressed for the prefecture, print layout',
  { skip: skipUnless('HAREYAKA_URL', 'HAREYAKA_ADMIN') }, async () => {
    const { page } = await open();
    await login(page, admin);
    await page.goto(PORTAL_URL + '/#/admin/stats');
    await page.waitForSelector('[data-testid=stats-trend] polyline');
    // The page shows what the API answers for the same period.
    const period = { from: await page.inputValue('input[name=from]'), to: await page.inputValue('input[name=to]') };
    const api = await page.evaluate(async (q) => {
      const r = await fetch(`/api/v1/admin/stats?from=${q.from}&to=${q.to}`, { credentials: 'same-origin' });
      return r.json();
    }, period);
    const imaging = api.views_by_category.filter((c) => c.category === 'imaging');
    assert.ok(imaging.length >= 6, 'six months of generated imaging views');
    assert.ok(imaging.every((c) => c.patients < 10 && c.views > 0));
    assert.equal(await page.textContent('[data-testid=stat-consented_patients]'),
      api.patients.consented_patients < 10 ? '＊' : api.patients.consented_patients.toLocaleString());
    const townRows = await page.locator('[data-testid=stats-by-municipality] tbody tr').count();
    assert.equal(townRows, api.views_by_viewer.length);
    assert.equal(await page.locator('[data-testid=stats-suppressed-note]').count(), 0);
    await shots(page, 'admin-stats');

    // Suppressed (what leaves the secretariat): imaging is gone from the chart's points.
    const points = await page.locator('[data-testid=stats-trend] circle').count();
    await page.check('input[name=suppress]');
    await page.click('[data-testid=stats-period] button[type=submit]');
    await page.waitForSelector('[data-testid=stats-suppressed-note]');
    // Every category-month cell of fewer than 10 patients goes: the generated imaging views,
    // and any small cell the demo's own use made (e.g. the summaries' demographics views).
    const small = api.views_by_category.filter((c) => c.patients < 10);
    assert.ok(small.length >= imaging.length);
    assert.equal(await page.locator('[data-testid=stats-trend] circle').count(), points - small.length);
    const open_ = await page.evaluate(async (q) => {
      const r = await fetch(`/api/v1/admin/stats/export?format=json&from=${q.from}&to=${q.to}`, { credentials: 'same-origin' });
      return r.json();
    }, period);
    assert.ok(open_.views_by_category.filter((c) => c.category === 'imaging').every((c) => c.views === null && c.suppressed));
    await page.emulateMedia({ media: 'print' });
    await screenshot(page, 'portal-print-admin-stats');
    await page.emulateMedia({ media: 'screen' });
  });

test('prefecture officer: the statistics page alone, suppressed, public exports only',
  { skip: skipUnless('HAREYAKA_URL', 'HAREYAKA_OFFICER') }, async () => {
    const { page } = await open(VIEWPORTS.ipad_portrait);
    await login(page, officer);
    await page.waitForSelector('[data-testid=stats-suppressed-note]');
    assert.match(page.url(), /#\/admin\/stats/);
    // No patient list, no other console section, no unsuppressed figures to ask for.
    assert.equal(await page.locator('a.nav-link[href="#/patients"]').count(), 0);
    assert.deepEqual(await page.locator('.admin-tabs a').evaluateAll((as) => as.map((a) => a.dataset.section)), ['stats']);
    assert.equal(await page.locator('input[name=suppress]').count(), 0);
    assert.equal(await page.locator('[data-testid=stats-export-internal-csv]').count(), 0);
    assert.equal(await page.locator('[data-testid=stats-export-public-csv]').count(), 1);
    // The secondary medical areas and the views across networks have their tables.
    assert.ok(await page.locator('[data-testid=stats-facilities-by-area] tbody tr').count() > 0);
    assert.equal(await page.locator('[data-testid=stats-by-community]').count(), 1);
    const refused = await page.evaluate(async () => (await fetch('/api/v1/admin/stats?suppress=false', { credentials: 'same-origin' })).status);
    assert.equal(refused, 403);
    await page.goto(PORTAL_URL + '/#/patients');
    await page.waitForSelector('[data-testid=stats-suppressed-note]');
    await shots(page, 'officer-stats');
  });

test('data manager: an お薬手帳 file, FHIR documents and a broken zip, sent with progress, each with its report',
  { skip: skipUnless('HAREYAKA_URL', 'HAREYAKA_DATAMANAGER') }, async () => {
    const { page } = await open(VIEWPORTS.ipad_portrait);
    await login(page, dataManager);
    await page.waitForSelector('[data-testid=upload-page]');
    // No patient list: a data manager sees no patient data.
    assert.equal(await page.locator('a.nav-link[href="#/patients"]').count(), 0);
    // The pharmacy's dispensing file of one patient, through the portal to the hosted gateway.
    await page.fill('#jahis-patient', 'E2E0001');
    await page.setInputFiles('#jahis-form-file', JAHIS_FILE);
    await page.click('[data-testid=jahis-form-send]');
    await page.waitForSelector('[data-testid=jahis-form-result] [data-testid=upload-stored]', { timeout: 30_000 });
    const status = await page.locator('[data-testid=jahis-form-result] table.upload-files tbody tr span').first().getAttribute('class');
    assert.match(status, /upload-(stored|unchanged)/);
    // A JP-CLINS 診療情報提供書 (FHIR JSON) of one patient: its entries stored; then one with
    // an entry lacking its code, refused with that entry named.
    const referral = JSON.parse(readFileSync(FHIR_FILE, 'utf8'));
    referral.entry[1].resource.identifier[0].value = 'E2E0002';
    await page.fill('#fhir-patient', 'E2E0002');
    await page.setInputFiles('#fhir-form-file', { name: 'referral.json', mimeType: 'application/fhir+json', buffer: Buffer.from(JSON.stringify(referral)) });
    await page.click('[data-testid=fhir-form-send]');
    await page.waitForSelector('[data-testid=fhir-form-result] [data-testid=upload-stored]', { timeout: 30_000 });
    const fhirStatus = await page.locator('[data-testid=fhir-form-result] table.upload-files tbody tr span').first().getAttribute('class');
    assert.match(fhirStatus, /upload-(stored|unchanged)/);
    delete referral.entry[3].resource.code;
    await page.setInputFiles('#fhir-form-file', { name: 'broken.json', mimeType: 'application/fhir+json', buffer: Buffer.from(JSON.stringify(referral)) });
    await page.click('[data-testid=fhir-form-send]');
    await page.waitForSelector('[data-testid=fhir-form-result] span.upload-rejected', { timeout: 30_000 });
    assert.match(await page.locator('[data-testid=fhir-form-result] table.upload-files').innerText(), /entry 3 Condition/);
    // A zip that is no zip: refused with the gateway's reason, nothing stored.
    await page.setInputFiles('#upload-form-file', { name: 'broken.zip', mimeType: 'application/zip', buffer: Buffer.from('not a zip at all') });
    await page.click('[data-testid=upload-form-send]');
    await page.waitForSelector('[data-testid=upload-form-result] [data-testid=upload-stored]', { timeout: 30_000 });
    assert.match(await page.locator('[data-testid=upload-form-result] [data-testid=upload-error]').innerText(), /zip/);
    await shots(page, 'data-manager-upload');
  });

test('data manager: the facility page lists the disclosed patient and withdraws a file with a reason',
  { skip: skipUnless('HAREYAKA_URL', 'HAREYAKA_DATAMANAGER') }, async () => {
    const { page } = await open(VIEWPORTS.ipad_portrait);
    await login(page, dataManager);
    await page.waitForSelector('[data-testid=upload-page]');
    await page.click('[data-testid=nav-disclosed]');
    await page.waitForSelector('[data-testid=disclosed-page]');
    // The patient the お薬手帳 test registered, with its file.
    await page.click('[data-testid=disclosed-open-E2E0001]', { timeout: 30_000 });
    await page.waitForSelector('[data-testid=disclosed-patient]');
    const row = page.locator('table.disclosed-dispensings tbody tr').first();
    await row.locator('[data-testid=withdraw]').click();
    await row.locator('[data-testid=withdraw-reason]').fill('別の患者の調剤記録');
    await row.locator('[data-testid=withdraw-confirm]').click();
    await row.locator('[data-testid=withdrawn]').waitFor({ timeout: 30_000 });
    await shots(page, 'data-manager-disclosed');
  });

test('data manager: the web form registers a patient with consent and attaches a PDF, and refuses a fake one',
  { skip: skipUnless('HAREYAKA_URL', 'HAREYAKA_DATAMANAGER') }, async () => {
    const { page } = await open(VIEWPORTS.ipad_portrait);
    await login(page, dataManager);
    await page.waitForSelector('[data-testid=upload-page]');
    await page.click('a.nav-link[href="#/register"]');
    await page.waitForSelector('[data-testid=register-page]');
    // The consent box is required: the browser does not send the form without it.
    await page.fill('#reg-id', 'E2EC001');
    await page.fill('#reg-family', '晴山');
    await page.fill('#reg-given', 'ミツ');
    await page.fill('#reg-family-kana', 'ハレヤマ');
    await page.fill('#reg-given-kana', 'ミツ');
    await page.selectOption('#reg-sex', 'F');
    await page.fill('#reg-birth', '1936-03-03');
    await page.fill('#reg-consent-ref', '同意書 E2E-001');
    assert.equal(await page.$eval('[data-testid=register-form]', (f) => f.checkValidity()), false);
    await page.check('#reg-consent');
    await page.click('[data-testid=register-send]');
    await page.waitForSelector('[data-testid=register-report-status]', { timeout: 30_000 });
    assert.match(await page.getAttribute('[data-testid=register-report-status]', 'data-status'), /stored|unchanged/);
    await page.waitForSelector('[data-testid=register-consent]');
    // The patient id carries over to the document form; a PDF with its title and category.
    assert.equal(await page.inputValue('#doc-patient'), 'E2EC001');
    await page.fill('#doc-title', '看護サマリー 12月');
    await page.selectOption('#doc-category', 'nursing_summary');
    await page.setInputFiles('#doc-file', { name: 'summary.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n% e2e\n%%EOF\n') });
    await page.click('[data-testid=document-send]');
    await page.waitForSelector('[data-testid=document-report-status]', { timeout: 30_000 });
    assert.equal(await page.getAttribute('[data-testid=document-report-status]', 'data-status'), 'stored');
    await shots(page, 'data-manager-register');
    // A "PDF" that is none: refused by the gateway with its reason, nothing kept.
    await page.setInputFiles('#doc-file', { name: 'fake.pdf', mimeType: 'application/pdf', buffer: Buffer.from('<html>not a pdf</html>') });
    await page.click('[data-testid=document-send]');
    await page.waitForSelector('[data-testid=document-report-reason]', { timeout: 30_000 });
    assert.equal(await page.getAttribute('[data-testid=document-report-status]', 'data-status'), 'rejected');
    assert.match(await page.innerText('[data-testid=document-report-reason]'), /PDF/);
  });

test('a stopped gateway gives a partial page with a banner naming the facility',
  { skip: skipUnless('HAREYAKA_URL', 'HAREYAKA_DOCTOR', 'HAREYAKA_STOP_GATEWAY_CMD') }, async () => {
    const { page } = await open();
    await login(page, doctor);
    await openSharedPatient(page);
    const url = page.url();
    execSync(process.env.HAREYAKA_STOP_GATEWAY_CMD, { stdio: 'inherit', timeout: 60_000 });
    try {
      await page.goto('about:blank');
      await page.goto(url);
      await page.waitForSelector('[data-testid=partial-banner]', { timeout: 30_000 });
      const text = await page.textContent('[data-testid=partial-banner]');
      assert.match(text, /一部の施設から応答がありません: .+（(タイムアウト|接続拒否|停止中)）/);
      assert.equal(await page.locator('[data-testid=allergies-incomplete]').count(), 1, 'allergies are not claimed complete');
      await shots(page, 'partial');
    } finally {
      if (process.env.HAREYAKA_START_GATEWAY_CMD) execSync(process.env.HAREYAKA_START_GATEWAY_CMD, { stdio: 'inherit', timeout: 60_000 });
    }
  });
