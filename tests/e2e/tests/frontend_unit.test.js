// Unit tests of the browser modules, run in Chromium itself: i18n date formatting (和暦,
// ages, Japan time) and api.js (error envelope, non-JSON errors, network failure, 401
// announcement, CSRF header). The modules are served by the tiny static server; the API
// answers are supplied with page.route, so nothing here needs the portal.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/static_server.js';
import { launch } from '../lib/browser.js';
import { totp } from '../lib/totp.js';

let server;
let browser;
let page;
before(async () => {
  server = await startServer();
  browser = await launch();
  page = await browser.context.newPage();
  // A blank same-origin page: the app shell is not needed to import the modules.
  await page.goto(`${server.url}/favicon.svg`);
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test('wareki and Japanese dates', async () => {
  const r = await page.evaluate(async () => {
    const i = await import('/i18n.js');
    i.setLang('ja');
    return {
      reiwa: i.formatWareki('2026-11-24'),
      reiwaFirst: i.formatWareki('2019-05-01'),
      heisei31: i.formatWareki('2019-04-30'),
      heiseiFirst: i.formatWareki('1989-01-08'),
      showa64: i.formatWareki('1989-01-07'),
      showaFirst: i.formatWareki('1926-12-25'),
      taisho15: i.formatWareki('1926-12-24'),
      taishoFirst: i.formatWareki('1912-07-30'),
      meiji45: i.formatWareki('1912-07-29'),
      date: i.formatDate('2026-11-24'),
      dateTimeUtc: i.formatDateTime('2026-11-24T03:15:00Z'),
      dateTimeJst: i.formatDateTime('2026-11-24T23:59:00+09:00'),
      dateTimeLocal: i.formatDateTime('2021-10-06T08:20:38'),
      dateTimeLocalShort: i.formatDateTime('2021-12-03T09:00'),
      birth: i.formatBirthDate('1948-03-02', '2026-11-24'),
      ageBefore: i.ageOn('1948-03-02', '2026-03-01'),
      ageOnDay: i.ageOn('1948-03-02', '2026-03-02'),
      leap: i.ageOn('2000-02-29', '2023-02-28'),
      leapNext: i.ageOn('2000-02-29', '2023-03-01'),
      bad: i.formatWareki('not a date'),
      badParse: i.parseDate('2026-13-01'),
    };
  });
  assert.equal(r.reiwa, '令和8年11月24日');
  assert.equal(r.reiwaFirst, '令和元年5月1日');
  assert.equal(r.heisei31, '平成31年4月30日');
  assert.equal(r.heiseiFirst, '平成元年1月8日');
  assert.equal(r.showa64, '昭和64年1月7日');
  assert.equal(r.showaFirst, '昭和元年12月25日');
  assert.equal(r.taisho15, '大正15年12月24日');
  assert.equal(r.taishoFirst, '大正元年7月30日');
  assert.equal(r.meiji45, '明治45年7月29日');
  assert.equal(r.date, '2026年11月24日');
  assert.equal(r.dateTimeUtc, '2026年11月24日 12:15', 'timestamps are shown in Japan time');
  assert.equal(r.dateTimeJst, '2026年11月24日 23:59');
  assert.equal(r.dateTimeLocal, '2021年10月6日 08:20', 'a time without offset is shown as written');
  assert.equal(r.dateTimeLocalShort, '2021年12月3日 09:00');
  assert.equal(r.birth, '昭和23年3月2日（1948年3月2日） 78歳');
  assert.equal(r.ageBefore, 77);
  assert.equal(r.ageOnDay, 78);
  assert.equal(r.leap, 22);
  assert.equal(r.leapNext, 23);
  assert.equal(r.bad, 'not a date', 'unparseable input is shown as it is, never as a wrong date');
  assert.equal(r.badParse, null);
});

test('English mode uses ISO dates and English strings', async () => {
  const r = await page.evaluate(async () => {
    const i = await import('/i18n.js');
    i.setLang('en');
    const out = {
      date: i.formatDate('2026-11-24'), wareki: i.formatWareki('2026-11-24'), birth: i.formatBirthDate('1948-03-02', '2026-11-24'),
      dt: i.formatDateTime('2026-11-24T03:15:00Z'), login: i.t('login.submit'), stored: localStorage.getItem('hareyaka.lang'),
      htmlLang: document.documentElement.lang,
    };
    i.setLang('ja');
    out.back = i.t('login.submit');
    return out;
  });
  assert.equal(r.date, '2026-11-24');
  assert.equal(r.wareki, '2026-11-24');
  assert.equal(r.birth, '1948-03-02 (78 y)');
  assert.equal(r.dt, '2026-11-24 12:15');
  assert.equal(r.login, 'Log in');
  assert.equal(r.stored, 'en');
  assert.equal(r.htmlLang, 'en');
  assert.equal(r.back, 'ログイン');
});

test('every Japanese string has an English one and the reverse', async () => {
  const src = await (await fetch(`${server.url}/i18n.js`)).text();
  const block = (name) => {
    const start = src.indexOf(`const ${name} = {`);
    const end = src.indexOf('\n};', start);
    return new Set([...src.slice(start, end).matchAll(/^\s+'([\w.]+)':/gm)].map((m) => m[1]));
  };
  const ja = block('ja');
  const en = block('en');
  assert.ok(ja.size > 100);
  assert.deepEqual([...ja].filter((k) => !en.has(k)), []);
  assert.deepEqual([...en].filter((k) => !ja.has(k)), []);
});

test('the web form\'s strings (i18n_register.js): both languages, and reachable through t()', async () => {
  const src = await (await fetch(`${server.url}/i18n_register.js`)).text();
  const block = (name) => {
    const start = src.indexOf(`export const ${name} = {`);
    const end = src.indexOf('\n};', start);
    return new Set([...src.slice(start, end).matchAll(/^\s+'([\w.]+)':/gm)].map((m) => m[1]));
  };
  const ja = block('ja');
  const en = block('en');
  assert.ok(ja.size > 30);
  assert.deepEqual([...ja].filter((k) => !en.has(k)), []);
  assert.deepEqual([...en].filter((k) => !ja.has(k)), []);
  const r = await page.evaluate(async () => {
    const i = await import('/i18n.js');
    i.setLang('ja');
    const jaText = i.t('register.category_nursing_summary');
    i.setLang('en');
    const enText = i.t('register.category_nursing_summary');
    i.setLang('ja');
    return { jaText, enText, known: i.hasKey('register.consent_obtained') };
  });
  assert.deepEqual(r, { jaText: '看護サマリー', enText: 'Nursing summary', known: true });
});

test('api.js: error envelope, non-JSON errors, network failure, 401, CSRF', async () => {
  const seen = [];
  await page.route('**/api/v1/t/**', async (route) => {
    const req = route.request();
    const url = new URL(req.url());
    seen.push({ path: url.pathname, method: req.method(), csrf: req.headers()['x-csrf-token'] || null, body: req.postData(), search: url.search });
    switch (url.pathname) {
      case '/api/v1/t/forbidden':
        return route.fulfill({ status: 403, contentType: 'application/json', body: JSON.stringify({ error: 'forbidden', message: 'この施設への同意がありません', request_id: 'rq-1' }) });
      case '/api/v1/t/html':
        return route.fulfill({ status: 502, contentType: 'text/html', headers: { 'X-Request-Id': 'rq-2' }, body: '<h1>Bad gateway</h1>' });
      case '/api/v1/t/unauth':
        return route.fulfill({ status: 401, contentType: 'application/json', body: JSON.stringify({ error: 'unauthorized', message: 'please log in', request_id: 'rq-3' }) });
      case '/api/v1/t/locked':
        return route.fulfill({ status: 423, contentType: 'application/json', body: JSON.stringify({ error: 'locked', message: 'locked', locked_until: '2026-11-24T03:15:00Z' }) });
      case '/api/v1/t/down':
        return route.abort('connectionrefused');
      case '/api/v1/t/empty':
        return route.fulfill({ status: 204, body: '' });
      default:
        return route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ ok: true }) });
    }
  });
  const r = await page.evaluate(async () => {
    const { api, setCsrfToken, onUnauthorized, ApiError } = await import('/api.js');
    const i = await import('/i18n.js');
    i.setLang('ja');
    const catchErr = async (p) => {
      try {
        await p;
        return null;
      } catch (e) {
        return { isApiError: e instanceof ApiError, status: e.status, code: e.code, message: e.message, requestId: e.requestId, body: e.body };
      }
    };
    const out = {};
    out.forbidden = await catchErr(api.get('/api/v1/t/forbidden'));
    out.html = await catchErr(api.get('/api/v1/t/html'));
    out.down = await catchErr(api.get('/api/v1/t/down'));
    out.locked = await catchErr(api.post('/api/v1/t/locked', { a: 1 }));
    let announced = 0;
    onUnauthorized(() => { announced += 1; });
    out.unauth = await catchErr(api.get('/api/v1/t/unauth'));
    out.quiet = await catchErr(api.get('/api/v1/t/unauth', undefined, { quiet401: true }));
    out.announced = announced;
    out.noCsrf = await api.post('/api/v1/t/ok', { x: '晴' });
    setCsrfToken('tok-123');
    await api.get('/api/v1/t/get', { q: 'ハレ ヤマ', empty: '', none: null });
    await api.put('/api/v1/t/put', { y: 2 });
    out.empty = await api.del('/api/v1/t/empty');
    setCsrfToken(null);
    return out;
  });
  assert.deepEqual(r.forbidden, { isApiError: true, status: 403, code: 'forbidden', message: 'この施設への同意がありません', requestId: 'rq-1', body: { error: 'forbidden', message: 'この施設への同意がありません', request_id: 'rq-1' } });
  assert.equal(r.html.status, 502);
  assert.equal(r.html.code, 'http_502');
  assert.equal(r.html.message, 'サーバーがエラーを返しました（502）。');
  assert.equal(r.html.requestId, 'rq-2');
  assert.equal(r.down.status, 0);
  assert.equal(r.down.code, 'network');
  assert.match(r.down.message, /接続できません/);
  assert.equal(r.locked.status, 423);
  assert.equal(r.locked.body.locked_until, '2026-11-24T03:15:00Z');
  assert.equal(r.unauth.status, 401);
  assert.equal(r.quiet.status, 401);
  assert.equal(r.announced, 1, '401 is announced once, not for quiet calls');
  assert.deepEqual(r.noCsrf, { ok: true });
  assert.equal(r.empty, null);
  const byPath = Object.fromEntries(seen.map((s) => [s.path, s]));
  assert.equal(byPath['/api/v1/t/ok'].csrf, null, 'no token before the session gave one');
  assert.equal(byPath['/api/v1/t/ok'].body, JSON.stringify({ x: '晴' }));
  assert.equal(byPath['/api/v1/t/get'].csrf, null, 'GET carries no CSRF token');
  assert.equal(byPath['/api/v1/t/get'].search, '?q=%E3%83%8F%E3%83%AC+%E3%83%A4%E3%83%9E', 'empty parameters are left out');
  assert.equal(byPath['/api/v1/t/put'].csrf, 'tok-123');
  assert.equal(byPath['/api/v1/t/empty'].csrf, 'tok-123');
  assert.equal(byPath['/api/v1/t/empty'].method, 'DELETE');
});

test('CDA rendering keeps text and drops markup that could act', async () => {
  const r = await page.evaluate(async () => {
    const { renderCda } = await import('/pages/documents.js');
    const xml = `<?xml version="1.0"?><ClinicalDocument xmlns="urn:hl7-org:v3"><title>紹介状</title>
      <effectiveTime value="20261120093000+0900"/>
      <component><structuredBody><component><section><title>所見</title><text>
      <paragraph onclick="alert(1)">血圧 <content styleCode="Bold">180/100</content></paragraph>
      <script>alert(2)</script><linkHtml href="javascript:alert(3)">リンク</linkHtml>
      <table><tbody><tr><td colspan="2" style="x">A</td></tr></tbody></table>
      <list listType="ordered"><item>一</item></list></text></section></component></structuredBody></component></ClinicalDocument>`;
    const el = renderCda(xml);
    const bad = renderCda('<ClinicalDocument><unclosed>');
    return {
      html: el.outerHTML, text: el.textContent,
      attrs: [...el.querySelectorAll('*')].flatMap((n) => [...n.attributes].map((a) => a.name)),
      bad: bad.textContent,
    };
  });
  assert.match(r.text, /紹介状/);
  assert.match(r.text, /2026年11月20日 09:30/);
  assert.match(r.text, /血圧 180\/100/);
  assert.doesNotMatch(r.text, /alert\(2\)/);
  assert.doesNotMatch(r.html, /<script|<a |onclick|javascript:|style=/);
  assert.match(r.html, /<strong|cda-bold/);
  assert.match(r.html, /<ol><li>一<\/li><\/ol>/);
  assert.match(r.html, /colspan="2"/);
  assert.deepEqual([...new Set(r.attrs)].sort(), ['class', 'colspan']);
  assert.match(r.bad, /読み取れませんでした/);
});

test('TOTP helper matches RFC 6238 test vectors', () => {
  // RFC 6238 appendix B, SHA-1 secret "12345678901234567890" (base32 below), 8 digits.
  const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
  assert.equal(totp(secret, { time: 59_000, digits: 8 }), '94287082');
  assert.equal(totp(secret, { time: 1111111109_000, digits: 8 }), '07081804');
  assert.equal(totp(secret, { time: 20000000000_000, digits: 8 }), '65353130');
});

test('normalize: clinical model items become api.md items; api.md items pass through', async () => {
  const r = await page.evaluate(async () => {
    const n = await import('/normalize.js');
    const flat = { facility_oid: 'f', start: '2026-01-01', kind: 'outpatient' };
    return {
      passThrough: n.encounter(flat) === flat,
      enc: n.encounter({ facility_oid: 'f', facility_name: 'F', kind: 'discharge', event_at: '2026-02-01T10:00:00+09:00', admitted_at: '2026-01-20T09:00:00+09:00',
        discharged_at: '2026-02-01T10:00:00+09:00', patient_class: 'I', department: { code: '01', display: '内科', system: '' }, attending_doctor: { id: '1', family: '岡', given: '修' },
        location: { ward: '5東', room: '', bed: '' }, cancelled: false }),
      ranges: ['3.3-8.6', '0.46〜0.79', '<0.14', '>=40', '陰性', ''].map(n.parseRange),
      labs: n.labResults({ facility_oid: 'f', collected_at: '2026-01-01T08:00:00+09:00', specimen: { code: '023', display: '血清' },
        items: [{ code: { code: 'X', display: 'CRP', system: 'JC10' }, value: '4.8', unit: { code: 'mg/dL', display: '' }, range: '<0.14', flags: ['HH'] },
          { code: { code: 'Y', display: '尿蛋白' }, value: '', value_code: { code: '2+', display: '2+' }, unit: {}, range: '陰性', flags: ['A'] }] }),
      dx: n.diagnosis({ name: { code: '1', display: '高血圧症' }, icd10: { code: 'I10', display: '' }, established: '2015-06-10', resolved: '', outcome: { display: '' }, main: false }),
      doc: n.document_({ id: 'd1', type: { code: 'DSUM', display: '' }, date: '2026-10-03', media_type: 'application/pdf', size: 10 }),
      study: n.study({ date: '2026-10-03', modality: { code: 'CT', display: '' }, procedures: [{ code: { code: 'P', display: '胸部CT' } }], study_uids: ['1.2.3'], observations: [{ value: '胸水あり' }], report_kind: 'radiology' }),
      inj: n.injection({ start: '2026-10-03T03:10:00+09:00', components: [{ role: 'B', drug: { display: 'ソルデム3A' }, amount: { value: '500', unit: { display: 'mL' } } }, { role: 'A', drug: { display: 'KCL' }, amount: { value: '10', unit: { code: 'mEq' } } }], route: { display: '静脈内' }, amount: {}, group: '1' }),
      codeText: [n.codeText(null), n.codeText('x'), n.codeText({ code: 'c' }), n.codeText({ code: 'c', display: 'd' })],
    };
  });
  assert.ok(r.passThrough);
  assert.deepEqual(r.enc, { facility_oid: 'f', facility_name: 'F', kind: 'inpatient', event: 'discharge', start: '2026-01-20T09:00:00+09:00', end: '2026-02-01T10:00:00+09:00',
    department: { code: '01', system: '', name: '内科' }, doctor: '岡 修', ward: '5東', cancelled: false });
  assert.deepEqual(r.ranges, [{ low: '3.3', high: '8.6', text: '' }, { low: '0.46', high: '0.79', text: '' }, { low: '', high: '0.14', text: '<0.14' },
    { low: '40', high: '', text: '>=40' }, { low: '', high: '', text: '陰性' }, { low: '', high: '', text: '' }]);
  assert.equal(r.labs.length, 2);
  assert.deepEqual(r.labs[0], { facility_oid: 'f', facility_name: undefined, collected_at: '2026-01-01T08:00:00+09:00', item: { code: 'X', system: 'JC10', name: 'CRP' },
    value: '4.8', unit: 'mg/dL', range: { low: '', high: '0.14', text: '<0.14' }, flag: 'H', specimen: '血清' });
  assert.equal(r.labs[1].value, '2+');
  assert.equal(r.labs[1].flag, '');
  assert.equal(r.dx.name, '高血圧症');
  assert.equal(r.dx.icd10, 'I10');
  assert.equal(r.dx.start, '2015-06-10');
  assert.equal(r.doc.document_id, 'd1');
  assert.equal(r.doc.title, 'DSUM');
  assert.equal(r.doc.content_type, 'application/pdf');
  assert.equal(r.study.study_uid, '1.2.3');
  assert.equal(r.study.description, '胸部CT');
  assert.equal(r.study.report_text, '胸水あり');
  assert.equal(r.inj.drug.name, 'ソルデム3A 500mL + KCL 10mEq');
  assert.equal(r.inj.route, '静脈内');
  assert.deepEqual(r.codeText, ['', 'x', 'c', 'd']);
});

test('zip.js: a folder packed in the browser is a zip any reader opens, names and bytes intact', async () => {
  const r = await page.evaluate(async () => {
    const z = await import('/zip.js');
    const big = new Uint8Array(70000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
    const seen = [];
    const blob = await z.zipFiles([
      { name: 'ssmix2/100/000/1000003/-/ADT-00/患者.txt', file: new Blob(['晴山 花子\r']) },
      { name: 'ssmix2/b', file: new Blob([big]) },
      { name: 'empty', file: new Blob([]) },
    ], (f) => seen.push(f));
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let bin = '';
    for (const b of bytes) bin += String.fromCharCode(b);
    return { b64: btoa(bin), crc: z.crc32(new TextEncoder().encode('123456789')), seen, type: blob.type };
  });
  assert.equal(r.crc, 0xcbf43926); // the CRC-32 check value
  assert.equal(r.type, 'application/zip');
  assert.equal(r.seen.at(-1), 1);
  // Python's zipfile reads it and checks every CRC.
  const { execFileSync } = await import('node:child_process');
  const out = execFileSync('python3', ['-c', `
import base64, io, sys, zipfile
z = zipfile.ZipFile(io.BytesIO(base64.b64decode(sys.stdin.read())))
assert z.testzip() is None
for i in z.infolist():
    print(i.filename, i.file_size, i.compress_type)
print(z.read('ssmix2/100/000/1000003/-/ADT-00/患者.txt').decode())
print(sum(z.read('ssmix2/b')) % 1000003)
`], { input: r.b64 }).toString();
  let expected = 0;
  for (let i = 0; i < 70000; i++) expected += (i * 31) & 0xff;
  assert.equal(out, `ssmix2/100/000/1000003/-/ADT-00/患者.txt 14 0\nssmix2/b 70000 0\nempty 0 0\n晴山 花子\r\n${expected % 1000003}\n`);
});
