// Front-end-only walk through every page against the fixture API (tests/e2e/fixtures, the
// shapes of docs/api.md) under the portal's CSP, at PC and iPad sizes. It proves the pages
// render, escape and lay out; the real backend is exercised by portal_*.test.js.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, FIXTURES } from '../lib/static_server.js';
import { launch, watch, screenshot, foreignRequests, VIEWPORTS } from '../lib/browser.js';

let server;
before(async () => {
  server = await startServer({ fixtures: FIXTURES });
});
after(async () => {
  await server?.close();
});

async function login(page, id, password = 'demo-pass', totp = '123456') {
  await page.goto(server.url + '/');
  await page.fill('input[name=login_id]', id);
  await page.fill('input[name=password]', password);
  await page.fill('input[name=totp]', totp);
  await page.click('[data-testid=login-submit]');
}

// page.waitForFunction evaluates strings, which the portal's CSP (rightly) refuses.
async function poll(cond, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

function assertClean(log) {
  assert.deepEqual(log.cspViolations, [], 'no CSP violations');
  assert.deepEqual(log.pageErrors, [], 'no uncaught page errors');
  assert.deepEqual(foreignRequests(log, server.url), [], 'no request leaves the portal');
}

for (const [size, viewport] of Object.entries(VIEWPORTS)) {
  test(`doctor walks the viewer (${size})`, async () => {
    const { context, close } = await launch({ viewport, touch: size !== 'pc' });
    try {
      const { page, log } = watch(await context.newPage());
      await login(page, 'dr-tanaka');
      await page.waitForSelector('table.patients tbody tr');
      assert.match(await page.textContent('table.patients'), /晴山 花子/);
      await screenshot(page, `fx-${size}-patients`);

      await page.click('text=晴山 花子');
      await page.waitForSelector('[data-testid=timeline] li');
      const header = await page.textContent('[data-testid=patient-header]');
      assert.match(header, /昭和23年3月2日/);
      assert.match(header, /ペニシリン系抗菌薬/);
      // 受診歴 from the locators: the facility with an entry, not the one without.
      const visits = await page.textContent('[data-testid=patient-visits]');
      assert.match(visits, /晴れやか総合病院 2019-04-02〜2026-10-30（14件）/);
      assert.doesNotMatch(visits, /岡山中央病院/);
      // 他ネットワーク (IHE XCPD): loaded after the page, each peer with its answer.
      await page.waitForSelector('[data-testid=patient-peers]');
      const peers = await page.textContent('[data-testid=patient-peers]');
      assert.match(peers, /HM-net（広島） 登録あり/);
      assert.match(peers, /おしどりネット（鳥取） 応答なし/);
      // The peer that knows her: its records below this network's (IHE XCA), under its name.
      await page.waitForSelector('[data-testid=peer-records] [data-testid=timeline] li');
      const peerRecords = await page.textContent('[data-testid=peer-records]');
      assert.match(peerRecords, /他ネットワークの記録（HM-net（広島））/);
      assert.match(peerRecords, /広島中央病院/);
      assert.equal(await page.$$eval('[data-testid=peer-records]', (els) => els.length), 1, 'only the peer that knows her');
      const allergyColour = await page.$eval('.ph-allergies .allergy', (el) => getComputedStyle(el).color);
      assert.equal(allergyColour, 'rgb(198, 40, 40)', 'allergies are red');
      const timeline = await page.textContent('[data-testid=timeline]');
      assert.match(timeline, /晴れやか総合病院/);
      assert.match(timeline, /岡山中央病院/);
      await screenshot(page, `fx-${size}-timeline`);
      // Touch targets on the patient page: tabs, buttons and links are at least 44 px high.
      const small = await page.$$eval('nav.tabs a, .btn, a.back, .app-nav a, .app-nav button', (els) => els
        .filter((e) => e.offsetParent !== null)
        .map((e) => [e.textContent.trim(), Math.round(e.getBoundingClientRect().height)])
        .filter(([, hgt]) => hgt < 44));
      assert.deepEqual(small, [], 'touch targets of at least 44 px');

      await page.click('a[data-tab=lab_results]');
      await page.waitForSelector('[data-testid=lab-table] tbody tr');
      const high = await page.$eval('[data-testid=lab-table] td.flag-h', (el) => getComputedStyle(el).color);
      assert.equal(high, 'rgb(198, 40, 40)', 'high values are red');
      await page.click('button.lab-item:text("BNP")');
      await page.waitForSelector('[data-testid=trend-chart] circle');
      assert.equal(await page.locator('[data-testid=trend-chart] circle').count(), 3);
      await screenshot(page, `fx-${size}-labs`);
      const smallItems = await page.$$eval('button.lab-item', (els) => els.filter((e) => e.getBoundingClientRect().height < 44).length);
      assert.equal(smallItems, 0, 'lab item buttons are at least 44 px high');

      await page.click('a[data-tab=documents]');
      await page.click('button.doc-open:text("退院時サマリー")');
      await page.waitForSelector('[data-testid=cda]');
      const cda = await page.textContent('[data-testid=cda]');
      assert.match(cda, /入院経過/);
      assert.match(cda, /フロセミド錠20mg/);
      assert.equal(await page.locator('[data-testid=cda] script, [data-testid=cda] a').count(), 0, 'CDA markup is not carried over');
      await screenshot(page, `fx-${size}-cda`);
      await page.click('button.doc-open:text("診療情報提供書")');
      await page.waitForSelector('[data-testid=pdf-frame]');

      await page.click('a[data-tab=imaging]');
      await page.click('table.studies button:text("表示")');
      await page.waitForSelector('[data-testid=viewer-image][src]');
      const src1 = await page.getAttribute('[data-testid=viewer-image]', 'src');
      await page.locator('[data-testid=viewer]').scrollIntoViewIfNeeded();
      const box = await page.locator('[data-testid=viewer]').boundingBox();
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.wheel(0, 200);
      await poll(async () => (await page.getAttribute('[data-testid=viewer-image]', 'src')) !== src1);
      assert.match(await page.getAttribute('[data-testid=viewer-image]', 'src'), /objectUID=[^&]*\.1\.2(&|$)/, 'wheel moves to the next image');
      await screenshot(page, `fx-${size}-imaging`);
      if (size === 'pc') {
        // Dragging right widens the window: the next image is asked for with the new width.
        await page.mouse.down();
        await page.mouse.move(box.x + box.width / 2 + 100, box.y + box.height / 2, { steps: 5 });
        await page.mouse.up();
        await poll(async () => /windowWidth=(\d+)/.exec(await page.getAttribute('[data-testid=viewer-image]', 'src'))?.[1] > 400);
        assert.match(await page.textContent('[data-testid=viewer]'), /WW (\d{3,})/);
      }
      assertClean(log);
    } finally {
      await close();
    }
  });
}

test('pharmacist sees only the tabs the API allows', async () => {
  const { context, close } = await launch();
  try {
    const { page, log } = watch(await context.newPage());
    await login(page, 'ph-sato');
    await page.click('text=晴山 花子');
    await page.waitForSelector('nav.tabs a[data-tab]');
    const tabs = await page.$$eval('nav.tabs a[data-tab]', (as) => as.map((a) => a.dataset.tab));
    assert.deepEqual(tabs, ['diagnoses', 'prescriptions', 'allergies']);
    await screenshot(page, 'fx-pc-pharmacist');
    // Logging out leaves nothing of the patient on the page, and says so.
    await page.click('[data-testid=logout]');
    await page.waitForSelector('[data-testid=login-form]');
    assert.match(await page.textContent('main'), /ログアウトしました/);
    assert.doesNotMatch(await page.textContent('body'), /晴山/);
    await page.goBack();
    await page.waitForSelector('[data-testid=login-form]');
    assert.doesNotMatch(await page.textContent('body'), /晴山/, 'back after logout shows the login page, not the patient');
    assertClean(log);
  } finally {
    await close();
  }
});

// The web form of a facility without an EMR (pages/register.js), on a tablet: what it sends,
// and the gateway's reports (stored; refused with the reason) as the page shows them.
test('data manager: the web form sends a registration with consent and a document (ipad)', async () => {
  const { context, close } = await launch({ viewport: VIEWPORTS.ipad_portrait, touch: true });
  try {
    const { page, log } = watch(await context.newPage());
    const sent = [];
    await page.route('**/api/v1/uploads/**', async (route) => {
      const req = route.request();
      const url = new URL(req.url());
      sent.push({ path: url.pathname, search: url.searchParams, type: req.headers()['content-type'], body: req.postDataBuffer() });
      if (url.pathname.endsWith('/patients')) {
        return route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ upload_id: 'u-1', accepted: true, stored: 1, files: [{ name: 'patient', status: 'stored' }], consent: { id: 41 } }) });
      }
      if (sent.length > 2) {
        return route.fulfill({ status: 422, contentType: 'application/json', body: JSON.stringify({ upload_id: 'u-3', accepted: false, stored: 0, rejected: 1, files: [{ name: 'document', status: 'rejected', reason: 'the file is not a PDF (it does not begin %PDF-)' }] }) });
      }
      return route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ upload_id: 'u-2', accepted: true, stored: 1, files: [{ name: 'document', status: 'stored' }], document_id: '0123456789abcdef' }) });
    });
    await login(page, 'dm-care');
    await page.waitForSelector('[data-testid=upload-page]');
    await page.click('a.nav-link[href="#/register"]');
    await page.waitForSelector('[data-testid=register-page]');
    await page.fill('#reg-id', 'K0001');
    await page.fill('#reg-family', '晴山');
    await page.fill('#reg-given', 'ミツ');
    await page.fill('#reg-family-kana', 'ハレヤマ');
    await page.fill('#reg-consent-ref', '同意書 C-001');
    // Without the consent box the browser does not send the form.
    await page.click('[data-testid=register-send]');
    assert.equal(sent.length, 0);
    await page.check('#reg-consent');
    await page.click('[data-testid=register-send]');
    await page.waitForSelector('[data-testid=register-consent]');
    assert.equal(await page.getAttribute('[data-testid=register-report-status]', 'data-status'), 'stored');
    const reg = JSON.parse(sent[0].body.toString());
    assert.equal(reg.patient_id, 'K0001');
    assert.equal(reg.consent_obtained, true);
    assert.equal(reg.consent_document_ref, '同意書 C-001');
    assert.match(reg.consent_date, /^\d{4}-\d{2}-\d{2}$/);
    // The document form has the patient; a PDF with its title and category, with progress.
    assert.equal(await page.inputValue('#doc-patient'), 'K0001');
    await page.fill('#doc-title', '看護サマリー');
    await page.selectOption('#doc-category', 'nursing_summary');
    await page.setInputFiles('#doc-file', { name: 'summary.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n%%EOF\n') });
    await page.click('[data-testid=document-send]');
    await page.waitForSelector('[data-testid=document-report-status][data-status=stored]');
    assert.equal(sent[1].type, 'application/pdf');
    assert.equal(sent[1].search.get('title'), '看護サマリー');
    assert.equal(sent[1].search.get('category'), 'nursing_summary');
    assert.equal(sent[1].body.toString(), '%PDF-1.4\n%%EOF\n');
    await screenshot(page, 'fx-ipad_portrait-data-manager-register');
    // Refused by the gateway: its reason shown.
    await page.click('[data-testid=document-send]');
    await page.waitForSelector('[data-testid=document-report-reason]');
    assert.match(await page.innerText('[data-testid=document-report-reason]'), /PDF/);
    // English.
    await page.click('[data-testid=lang-toggle]');
    await page.waitForSelector('text=Attach a document');
    await page.click('[data-testid=lang-toggle]');
    assertClean(log);
  } finally {
    await close();
  }
});

test('items passed through in the clinical model shape render like api.md items', async () => {
  const { context, close } = await launch();
  try {
    const { page, log } = watch(await context.newPage());
    await login(page, 'dr-tanaka');
    await page.click('text=吉備 さくら');
    await page.waitForSelector('[data-testid=timeline] li');
    const header = await page.textContent('[data-testid=patient-header]');
    assert.match(header, /セフェム系抗菌薬（アナフィラキシー）/);
    assert.match(header, /令和元年5月1日/);
    const timeline = await page.textContent('[data-testid=timeline]');
    assert.match(timeline, /入院/);
    assert.match(timeline, /2026年9月28日 10:00/);
    assert.match(timeline, /小児科/);
    assert.match(timeline, /桃井 健/);
    assert.match(timeline, /3階西/);
    await page.click('a[data-tab=lab_results]');
    await page.waitForSelector('[data-testid=lab-table] tbody tr');
    assert.equal(await page.locator('[data-testid=lab-table] tbody tr').count(), 3, 'WBC, CRP, Hb');
    assert.equal(await page.locator('[data-testid=lab-table] td.flag-h').count(), 4);
    assert.equal(await page.locator('[data-testid=lab-table] td.flag-l').count(), 1);
    assert.match(await page.textContent('[data-testid=lab-table]'), /3\.3–8\.6/);
    await page.click('button.lab-item:text("CRP")');
    assert.equal(await page.locator('[data-testid=trend-chart] circle').count(), 2);
    await page.click('a[data-tab=diagnoses]');
    await page.waitForSelector('table.diagnoses tbody tr');
    assert.match(await page.textContent('table.diagnoses'), /急性気管支炎.*主病名.*J209.*2026年9月28日/s);
    await page.click('a[data-tab=prescriptions]');
    await page.waitForSelector('table.prescriptions tbody tr');
    assert.match(await page.textContent('table.prescriptions'), /アモキシシリン細粒10%.*0\.9 g.*1日3回毎食後.*7日分.*6\.3 g.*経口/s);
    await page.click('a[data-tab=documents]');
    await page.waitForSelector('table.documents tbody tr');
    assert.match(await page.textContent('table.documents'), /退院時サマリ.*DSUM.*2\.8 KB/s);
    await screenshot(page, 'fx-pc-model-shapes');
    assert.deepEqual(log.pageErrors, []);
  } finally {
    await close();
  }
});

test('partial answers show which facility is missing', async () => {
  const { context, close } = await launch();
  try {
    const { page } = watch(await context.newPage());
    await login(page, 'dr-tanaka');
    await page.click('text=岡田 太郎');
    await page.waitForSelector('[data-testid=partial-banner]');
    assert.match(await page.textContent('[data-testid=partial-banner]'), /一部の施設から応答がありません: 岡山中央病院（タイムアウト）/);
    await page.waitForSelector('[data-testid=timeline] li');
    assert.equal(await page.locator('[data-testid=partial-banner]').count(), 1, 'the missing facility is named once, not per section');
    assert.doesNotMatch(await page.textContent('[data-testid=patient-allergies]'), /登録なし/, 'no "no allergies" while a facility is missing');
    assert.match(await page.textContent('[data-testid=patient-allergies]'), /確認できていません/);
    await screenshot(page, 'fx-pc-partial');
    await page.click('[data-testid=lang-toggle]');
    await page.waitForSelector('[data-testid=partial-banner]:has-text("Some facilities did not answer")');
    assert.match(await page.textContent('[data-testid=partial-banner]'), /Some facilities did not answer: 岡山中央病院 \(timeout\)/);
    assert.match(await page.textContent('[data-testid=patient-header]'), /1961-07-15 \(65 y\)/);
    await screenshot(page, 'fx-pc-partial-en');
  } finally {
    await close();
  }
});

test('a preserved copy (disaster mode) is labelled with its time, and the console lists declarations', async () => {
  const { context, close } = await launch();
  try {
    const { page, log } = watch(await context.newPage());
    await login(page, 'dr-tanaka');
    await page.click('text=吉備 さくら');
    await page.waitForSelector('[data-testid=preserved-banner]');
    assert.match(await page.textContent('[data-testid=preserved-banner]'), /災害時運用中/);
    assert.match(await page.textContent('[data-testid=preserved-banner]'), /岡山中央病院 災害時保全データ（2026年12月1日 12:00 時点）/);
    await page.waitForSelector('[data-testid=timeline] li [data-testid=preserved-tag]');
    assert.match(await page.textContent('[data-testid=timeline] li [data-testid=preserved-tag]'), /災害時保全データ（2026年12月1日 12:00 時点）/);
    await screenshot(page, 'fx-pc-preserved');
    await page.click('[data-testid=lang-toggle]');
    await page.waitForSelector('[data-testid=preserved-tag]:has-text("Preserved copy as of 2026-12-01 12:00")');
    await page.click('[data-testid=lang-toggle]');
    assertClean(log);
  } finally {
    await close();
  }
  const admin = await launch();
  try {
    const { page, log } = watch(await admin.context.newPage());
    await login(page, 'admin');
    await page.waitForSelector('[data-testid=admin-facilities] table tbody tr');
    await page.goto(`${server.url}/#/admin/disaster`);
    await page.waitForSelector('[data-testid=disaster-declarations] table tbody tr');
    assert.match(await page.textContent('[data-testid=disaster-declarations]'), /実施中/);
    assert.match(await page.textContent('[data-testid=disaster-declarations]'), /終了/);
    await screenshot(page, 'fx-pc-admin-disaster');
    page.on('dialog', (d) => d.accept());
    await page.click('[data-testid=disaster-end-7]');
    await poll(async () => server.requests.some((r) => r.method === 'POST' && r.path === '/api/v1/admin/disaster-declarations/7/end'));
    assertClean(log);
  } finally {
    await admin.close();
  }
});

test('login errors: wrong credentials, lockout, first-login enrolment', async () => {
  const { context, close } = await launch();
  try {
    const { page } = watch(await context.newPage());
    await login(page, 'dr-tanaka', 'wrong');
    await page.waitForSelector('[data-testid=login-error]');
    assert.match(await page.textContent('[data-testid=login-error]'), /正しくありません/);
    await page.fill('input[name=password]', 'demo-pass');
    await page.fill('input[name=login_id]', 'locked');
    await page.fill('input[name=totp]', '123456');
    await page.click('[data-testid=login-submit]');
    await page.waitForSelector('[data-testid=login-error]:has-text("ロック")');
    assert.match(await page.textContent('[data-testid=login-error]'), /2026年11月24日 12:15/);
    await login(page, 'newbie');
    await page.waitForSelector('[data-testid=enrol-secret]');
    assert.equal(await page.textContent('[data-testid=enrol-secret]'), 'JBSW Y3DP EHPK 3PXP');
    assert.ok((await page.locator('[data-testid=enrol-qr] rect').count()) > 50, 'the otpauth URI is also a QR code');
    await screenshot(page, 'fx-pc-enrol');
    await page.fill('[data-testid=enrol-form] input[name=totp]', '654321');
    await page.click('[data-testid=enrol-submit]');
    await page.waitForSelector('[data-testid=logout]');
    assert.match(await page.textContent('header'), /新人 花子/);
  } finally {
    await close();
  }
});

test('admin console pages render', async () => {
  const { context, close } = await launch();
  try {
    const { page, log } = watch(await context.newPage());
    await login(page, 'admin');
    await page.waitForSelector('[data-testid=admin-facilities] table tbody tr');
    await screenshot(page, 'fx-pc-admin-facilities');
    // Register a facility: the form's values reach the API with the CSRF token.
    await page.click('.add-box > summary');
    const f = page.locator('[data-testid=facility-form]');
    await f.locator('input[name=prefecture]').fill('33');
    await f.locator('input[name=code]').fill('2000777');
    await f.locator('input[name=name]').fill('<b>はれ</b>医院');
    await f.locator('select[name=kind]').selectOption('pharmacy');
    await f.locator('input[name=gateway_cert_sha256]').fill('AB:CD:EF');
    await f.locator('button[type=submit]').click();
    await f.locator('.alert-success').waitFor();
    const post = server.requests.findLast((r) => r.method === 'POST' && r.path === '/api/v1/admin/facilities');
    assert.equal(post.headers['x-csrf-token'], 'csrf-admin');
    assert.deepEqual(post.body, { prefecture: '33', code: '2000777', name: '<b>はれ</b>医院', kind: 'pharmacy', gateway_cert_sha256: 'abcdef', discloses: false, views: true });
    // Policy: one changed cell is sent as one cell.
    await page.click('a[data-section=policy]');
    await page.waitForSelector('[data-testid=policy-table] input');
    await page.locator('[data-testid=policy-table] tbody tr').nth(3).locator('input').first().check();
    await page.click('[data-testid=admin-policy] .toolbar button');
    await page.waitForSelector('[data-testid=admin-policy] .alert-success');
    const put = server.requests.findLast((r) => r.method === 'PUT' && r.path === '/api/v1/admin/policy');
    assert.deepEqual(put.body, { cells: [{ profession: 'doctor', facility_kind: 'pharmacy', category: 'encounters', allowed: true }] });
    await page.click('a[data-section=facilities]');
    for (const s of ['users', 'policy', 'identity', 'audit', 'consents']) {
      await page.click(`a[data-section=${s}]`);
      await page.waitForSelector(`[data-testid=admin-${s}]`);
      await page.waitForLoadState('networkidle');
      await screenshot(page, `fx-pc-admin-${s}`);
    }
    // Connected systems: delivery state per system, names escaped.
    await page.click('a[data-section=feeds]');
    await page.waitForSelector('[data-testid=feed-systems] table tbody tr');
    const feeds = await page.textContent('[data-testid=feed-systems]');
    assert.match(feeds, /県医師会ディレクトリ/);
    assert.match(feeds, /再送中（4 回失敗）/);
    assert.match(feeds, /Connection refused/);
    assert.match(feeds, /<i>介護<\/i>連携システム/);
    await screenshot(page, 'fx-pc-admin-feeds');
    // The changes a system refused: listed newest first, keys escaped; re-queue posts, dismiss
    // asks first.
    await page.click('[data-testid=feed-rejected-count]');
    await page.waitForSelector('[data-testid=feed-rejected] table tbody tr');
    const refused = await page.textContent('[data-testid=feed-rejected]');
    assert.match(refused, /「県医師会ディレクトリ」が受け付けなかった変更/);
    assert.match(refused, /dr-<b>kana<\/b>/);
    assert.match(refused, /resultCode 65 objectClassViolation/);
    assert.ok(refused.indexOf('dr-<b>kana</b>') < refused.indexOf('1.2.392.200284.33.1310009'), 'newest first');
    await screenshot(page, 'fx-pc-admin-feeds-rejected');
    await page.click('[data-testid=feed-rejected] tbody tr:first-child button:has-text("再送")');
    await page.waitForSelector('[data-testid=feed-rejected] table tbody tr');
    assert.ok(server.requests.some((r) => r.method === 'POST' && r.path === '/api/v1/admin/connected-systems/1/rejected/12/requeue'));
    page.once('dialog', (d) => d.accept());
    await page.click('[data-testid=feed-rejected] tbody tr:nth-child(2) button:has-text("破棄")');
    await page.waitForSelector('[data-testid=feed-rejected] table tbody tr');
    await page.waitForLoadState('networkidle');
    assert.ok(server.requests.some((r) => r.method === 'DELETE' && r.path === '/api/v1/admin/connected-systems/1/rejected/7'));
    // Bulk import: the file goes as it is; the dry run's errors are listed by row and column.
    await page.click('a[data-section=import]');
    const sjis = Buffer.from([0x6f, 0x69, 0x64, 0x0a, 0x95, 0x61, 0x89, 0x40, 0x0a]);
    await page.setInputFiles('[data-testid=import-form] input[type=file]', { name: 'f.csv', mimeType: 'text/csv', buffer: sjis });
    await page.click('[data-testid=import-form] button[type=submit]');
    await page.waitForSelector('table.import-errors tbody tr');
    const sent = server.requests.findLast((r) => r.method === 'POST' && r.path === '/api/v1/admin/import/facilities');
    assert.deepEqual([...sent.body], [...sjis], 'the bytes are sent unchanged');
    assert.equal(sent.headers['x-csrf-token'], 'csrf-admin');
    const errors = await page.textContent('table.import-errors');
    assert.match(errors, /3/);
    assert.match(errors, /oid/);
    assert.match(errors, /<b>leading zero<\/b>/);
    assert.match(await page.textContent('[data-testid=import-summary]'), /新規 1 件、更新 1 件、変更なし 1 件、エラー 1 件/);
    assert.equal(await page.locator('[data-testid=import-apply]').count(), 0, 'no apply while there are errors');
    await screenshot(page, 'fx-pc-admin-import');
    await page.click('[data-testid=audit-verify]').catch(() => {});
    await page.goto(`${server.url}/#/admin/report/p-01HF0001`);
    await page.waitForSelector('.access-report table');
    await page.emulateMedia({ media: 'print' });
    await screenshot(page, 'fx-print-access-report');
    assertClean(log);
  } finally {
    await close();
  }
});
