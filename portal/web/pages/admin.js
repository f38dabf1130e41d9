// Secretariat console: facilities, users, consents, the policy matrix, identity review,
// audit search with chain verification, and a printable access report. Only shown to
// sessions whose roles contain "admin"; the API checks the role again on every call.

import { h, replace } from '../dom.js';
import { t, tv, formatDate, formatDateTime, todayJapan } from '../i18n.js';
import { api, seg } from '../api.js';
import { errorBox, loading, notice, field, formValues, table, appendRows, pagedTable, displayValue, cellValue, fieldLabel } from '../ui.js';
import { connectedSystems, importPage } from './admin_directory.js';
import { statsPage } from './admin_stats.js';
import { fhirApps } from './admin_fhir.js';
import { disasterDeclarations } from './admin_disaster.js';

export const PROFESSIONS = ['doctor', 'dentist', 'pharmacist', 'nurse', 'public_health_nurse', 'midwife', 'therapist', 'care_manager', 'clerk', 'secretariat_admin', 'prefecture_officer', 'data_manager'];
export const KINDS = ['hospital', 'clinic', 'dental_clinic', 'pharmacy', 'home_visit_nursing', 'care_facility'];
export const CATEGORIES = ['encounters', 'diagnoses', 'prescriptions', 'injections', 'allergies', 'lab_results', 'imaging', 'reports', 'documents', 'demographics'];
const SECTIONS = ['facilities', 'users', 'import', 'feeds', 'consents', 'policy', 'identity', 'audit', 'report', 'stats', 'fhir', 'disaster'];

const A = '/api/v1/admin';

export async function render(main, ctx) {
  const roles = ctx.session?.user?.roles || [];
  // The prefecture officer ('stats') has the statistics and nothing else of the console.
  const sections = roles.includes('admin') ? SECTIONS : roles.includes('stats') ? ['stats'] : [];
  if (!sections.length) {
    replace(main, h('div', { class: 'page' }, notice(t('admin.forbidden'), 'error')));
    return;
  }
  const section = sections.includes(ctx.section) ? ctx.section : sections[0];
  const nav = h('nav', { class: 'tabs admin-tabs', 'aria-label': t('admin.title') },
    sections.map((s) => h('a', { href: `#/admin/${s}`, class: ['tab', s === section && 'active'], 'data-section': s }, t(`admin.${s}`))));
  const panel = h('section', { class: 'admin-panel', 'data-testid': `admin-${section}` });
  const title = roles.includes('admin') ? t('admin.title') : t('admin.stats');
  replace(main, h('div', { class: 'page admin-page' }, h('h1', { class: 'no-print' }, title), nav, panel));
  await RENDERERS[section](panel, ctx);
}

// A submit handler with a status line: run(values) may return a message to show.
function bindForm(form, statusEl, run) {
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const btn = form.querySelector('button[type=submit]');
    if (btn) btn.disabled = true;
    replace(statusEl);
    try {
      const msg = await run(formValues(form));
      if (msg) replace(statusEl, notice(msg, 'success'));
    } catch (e) {
      replace(statusEl, errorBox(e));
    } finally {
      if (btn) btn.disabled = false;
    }
  });
}

// Paged list whose columns come from the records (shapes the contract leaves open).
function genericPaged(load, preferred, actions) {
  const wrap = h('div', { class: 'paged' });
  const status = h('div', { class: 'paged-status' });
  const more = h('button', { type: 'button', class: 'btn btn-secondary more', hidden: true }, t('common.more'));
  let cursor = null;
  let tbody = null;
  let columns = null;
  const tableSlot = h('div', {});
  async function next() {
    replace(status, loading());
    try {
      const page = await load(cursor);
      const items = Array.isArray(page) ? page : page?.items || [];
      if (!columns && items.length) {
        const keys = [];
        for (const k of preferred) if (items.some((i) => i[k] !== undefined)) keys.push(k);
        for (const i of items) for (const k of Object.keys(i)) if (!keys.includes(k)) keys.push(k);
        columns = keys.map((k) => ({ label: fieldLabel(k), render: (r) => cellValue(k, r[k]) }));
        if (actions) columns.push({ label: '', class: 'actions', render: actions });
        const tw = table(columns, []);
        tbody = tw.querySelector('tbody');
        replace(tableSlot, tw);
      }
      if (columns) appendRows(tbody, columns, items);
      cursor = Array.isArray(page) ? null : page?.next_cursor || null;
      more.hidden = !cursor;
      replace(status, !columns ? h('p', { class: 'empty' }, t('common.none')) : null);
    } catch (e) {
      replace(status, errorBox(e));
    }
  }
  more.addEventListener('click', next);
  wrap.append(tableSlot, status, more);
  next();
  return wrap;
}

// ---- facilities --------------------------------------------------------------------------

function facilityForm(existing, onDone) {
  const f = existing || {};
  const status = h('div', {});
  const form = h('form', { class: 'admin-form grid-form', 'data-testid': 'facility-form' },
    field({ name: 'oid', label: t('fac.oid'), value: f.oid, hint: existing ? null : t('fac.oid_hint') }),
    field({ name: 'prefecture', label: t('fac.prefecture'), value: f.prefecture, inputmode: 'numeric', maxlength: 2 }),
    field({ name: 'code', label: t('fac.code'), value: f.code, inputmode: 'numeric' }),
    field({ name: 'name', label: t('fac.name'), value: f.name, required: true }),
    field({ name: 'name_kana', label: t('fac.name_kana'), value: f.name_kana }),
    field({ name: 'kind', label: t('fac.kind'), type: 'select', value: f.kind || 'clinic', options: KINDS.map((k) => [k, tv('kind', k)]) }),
    field({ name: 'name_en', label: t('fac.name_en'), value: f.name_en }),
    field({ name: 'municipality', label: t('fac.municipality'), value: f.municipality, inputmode: 'numeric', pattern: '[0-9]{5,6}', maxlength: 6, hint: t('fac.municipality_hint') }),
    field({ name: 'postal_code', label: t('fac.postal_code'), value: f.postal_code, inputmode: 'numeric', pattern: '[0-9]{3}-?[0-9]{4}', maxlength: 8, placeholder: '700-0000' }),
    field({ name: 'address', label: t('fac.address'), value: f.address, maxlength: 200 }),
    field({ name: 'phone', label: t('fac.phone'), value: f.phone, type: 'tel', maxlength: 20, placeholder: '086-000-0000' }),
    field({ name: 'gateway_url', label: t('fac.gateway_url'), value: f.gateway_url, type: 'url', placeholder: 'https://gw.example.jp:8443' }),
    field({ name: 'gateway_cert_sha256', label: t('fac.gateway_cert_sha256'), value: f.gateway_cert_sha256, placeholder: 'AB:CD:…' }),
    field({ name: 'discloses', label: t('fac.discloses'), type: 'checkbox', value: f.discloses }),
    field({ name: 'views', label: t('fac.views'), type: 'checkbox', value: f.views ?? true }),
    existing ? field({ name: 'status', label: t('fac.status'), type: 'select', value: f.status || 'active',
      options: ['active', 'suspended', 'retired'].map((s) => [s, tv('status', s)]) }) : null,
    h('div', { class: 'form-buttons' },
      h('button', { type: 'submit', class: 'btn btn-primary' }, existing ? t('common.save') : t('fac.add')),
      existing ? h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => onDone(null) }, t('common.cancel')) : null),
    status);
  bindForm(form, status, async (v) => {
    const body = { ...v };
    if (body.gateway_cert_sha256) body.gateway_cert_sha256 = body.gateway_cert_sha256.replace(/[:\s]/g, '').toLowerCase();
    let r;
    if (existing) r = await api.put(`${A}/facilities/${seg(existing.oid)}`, body);
    else r = await api.post(`${A}/facilities`, body);
    onDone(r || body);
    return t('common.saved');
  });
  return form;
}

function facilities(panel) {
  const q = field({ name: 'q', label: t('common.search'), type: 'search' });
  const searchForm = h('form', { class: 'search-form inline' }, q, h('button', { type: 'submit', class: 'btn btn-secondary' }, t('common.search')));
  const listSlot = h('div', {});
  const editSlot = h('div', {});
  const addSlot = h('details', { class: 'add-box' }, h('summary', {}, t('fac.add')));
  const editButton = (fac) => h('button', { type: 'button', class: 'btn btn-secondary', onclick: async () => {
    replace(editSlot, loading());
    try {
      const full = await api.get(`${A}/facilities/${seg(fac.oid)}`);
      replace(editSlot, h('h2', {}, t('fac.edit')), facilityForm(full, () => {
        replace(editSlot);
        list();
      }));
      editSlot.scrollIntoView({ block: 'start' });
    } catch (e) {
      replace(editSlot, errorBox(e));
    }
  } }, t('common.edit'));
  const columns = [
    { label: t('fac.name'), render: (f) => h('span', { class: 'fac-name' }, h('strong', {}, f.name || ''), h('span', { class: 'kana' }, f.name_kana || '')) },
    { label: t('fac.oid'), class: 'mono', render: (f) => f.oid || '' },
    { label: t('fac.kind'), render: (f) => tv('kind', f.kind) },
    { label: t('fac.municipality'), render: (f) => f.municipality || '' },
    { label: `${t('fac.discloses')} / ${t('fac.views')}`, render: (f) => `${f.discloses ? '○' : '－'} / ${f.views ? '○' : '－'}` },
    { label: t('fac.gateway_url'), class: 'gw', render: (f) => (f.gateway_url
      ? h('span', {}, h('span', { class: 'break' }, f.gateway_url),
        f.gateway_cert_sha256 ? h('span', { class: 'fingerprint', title: f.gateway_cert_sha256 }, `SHA-256 ${String(f.gateway_cert_sha256).slice(0, 16)}…`) : null)
      : '') },
    { label: t('fac.status'), render: (f) => h('span', { class: ['status', `status-${f.status}`] }, tv('status', f.status)) },
    { label: '', class: 'actions', render: editButton },
  ];
  function list() {
    const query = searchForm.elements.q.value;
    replace(listSlot, pagedTable(columns, (cursor) => api.get(`${A}/facilities`, { q: query, cursor, page_size: 50 }), { class: 'facilities' }));
  }
  searchForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    list();
  });
  addSlot.appendChild(facilityForm(null, () => list()));
  replace(panel, addSlot, editSlot, searchForm, listSlot);
  list();
}

// ---- users -------------------------------------------------------------------------------

function userActions(u, refresh) {
  const out = h('div', { class: 'row-actions' });
  const status = h('div', { class: 'row-status' });
  const put = async (body) => {
    try {
      await api.put(`${A}/users/${seg(u.login_id)}`, body);
      refresh();
    } catch (e) {
      replace(status, errorBox(e));
    }
  };
  const locked = u.status === 'locked';
  out.append(
    h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => put({ status: locked ? 'active' : 'locked' }) }, locked ? t('user.unlock') : t('user.lock')),
    h('button', { type: 'button', class: 'btn btn-danger', disabled: u.status === 'retired', onclick: () => {
      if (window.confirm(t('user.retire_confirm', { id: u.login_id }))) put({ status: 'retired' });
    } }, t('user.retire')));
  const reset = h('details', { class: 'inline-form' }, h('summary', { class: 'btn btn-secondary' }, t('user.reset')));
  const resetForm = h('form', {}, field({ name: 'password', label: t('user.password'), type: 'text', required: true, autocomplete: 'new-password' }),
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('user.reset')));
  const resetStatus = h('div', {});
  bindForm(resetForm, resetStatus, async (v) => {
    const r = await api.post(`${A}/users/${seg(u.login_id)}/reset`, { password: v.password });
    return t('user.reset_done', { password: r?.password || v.password });
  });
  reset.append(resetForm, resetStatus);
  const hpki = h('details', { class: 'inline-form' }, h('summary', { class: 'btn btn-secondary' }, t('user.hpki')));
  const hpkiForm = h('form', {},
    field({ name: 'issuer', label: t('user.hpki_issuer') }),
    field({ name: 'serial', label: t('user.hpki_serial') }),
    field({ name: 'subject', label: t('user.hpki_subject') }),
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('user.bind')));
  const hpkiStatus = h('div', {});
  bindForm(hpkiForm, hpkiStatus, async (v) => {
    const body = v.subject ? { subject: v.subject } : { issuer: v.issuer, serial: v.serial };
    await api.put(`${A}/users/${seg(u.login_id)}/hpki`, body);
    return t('common.saved');
  });
  hpki.append(hpkiForm, hpkiStatus);
  out.append(reset, hpki, status);
  return out;
}

function users(panel) {
  const status = h('div', {});
  const addForm = h('form', { class: 'admin-form grid-form', 'data-testid': 'user-form' },
    field({ name: 'login_id', label: t('user.login_id'), required: true }),
    field({ name: 'display_name', label: t('user.display_name'), required: true }),
    field({ name: 'facility_oid', label: t('user.facility_oid'), required: true }),
    field({ name: 'profession', label: t('user.profession'), type: 'select', value: 'doctor', options: PROFESSIONS.map((p) => [p, tv('prof', p)]) }),
    field({ name: 'password', label: t('user.password'), type: 'text', required: true, autocomplete: 'new-password' }),
    h('div', { class: 'form-buttons' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('user.add'))),
    status);
  bindForm(addForm, status, async (v) => {
    await api.post(`${A}/users`, v);
    list();
    return t('common.saved');
  });
  const searchForm = h('form', { class: 'search-form inline' },
    field({ name: 'facility_oid', label: t('user.facility_oid') }),
    field({ name: 'q', label: t('common.search'), type: 'search' }),
    h('button', { type: 'submit', class: 'btn btn-secondary' }, t('common.search')));
  const listSlot = h('div', {});
  function list() {
    const v = formValues(searchForm);
    const columns = [
      { label: t('user.login_id'), render: (u) => u.login_id },
      { label: t('user.display_name'), render: (u) => u.display_name || '' },
      { label: t('user.profession'), render: (u) => tv('prof', u.profession) },
      { label: t('common.facility'), render: (u) => u.facility_name || u.facility?.name || u.facility_oid || '' },
      { label: t('user.status'), render: (u) => h('span', { class: ['status', `status-${u.status}`] }, tv('status', u.status),
        u.locked_until ? h('span', { class: 'hint' }, ` ${t('user.locked_until', { until: formatDateTime(u.locked_until) })}`) : null,
        u.hpki_bound ? h('span', { class: 'badge' }, t('user.hpki_bound')) : null) },
      { label: '', class: 'actions', render: (u) => userActions(u, list) },
    ];
    const status2 = h('div', {});
    const tw = table(columns, []);
    const tbody = tw.querySelector('tbody');
    const more = h('button', { type: 'button', class: 'btn btn-secondary more', hidden: true }, t('common.more'));
    let cursor = null;
    async function next() {
      try {
        const page = await api.get(`${A}/users`, { ...v, cursor, page_size: 50 });
        appendRows(tbody, columns, page?.items || []);
        cursor = page?.next_cursor || null;
        more.hidden = !cursor;
      } catch (e) {
        replace(status2, errorBox(e));
      }
    }
    more.addEventListener('click', next);
    replace(listSlot, tw, status2, more);
    next();
  }
  searchForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    list();
  });
  replace(panel, h('details', { class: 'add-box', open: true }, h('summary', {}, t('user.add')), addForm), searchForm, listSlot);
  list();
}

// ---- consents ----------------------------------------------------------------------------

function categoryChecks(name) {
  return h('fieldset', { class: 'checks' }, h('legend', {}, t('consent.categories')),
    CATEGORIES.map((c) => field({ name: `${name}.${c}`, label: tv('cat', c), type: 'checkbox' })));
}

function consents(panel) {
  const regStatus = h('div', {});
  const regForm = h('form', { class: 'admin-form grid-form', 'data-testid': 'consent-form' },
    field({ name: 'authority', label: t('consent.authority'), required: true }),
    field({ name: 'local_id', label: t('consent.local_id'), required: true }),
    field({ name: 'viewer_facility_oid', label: t('consent.viewer') }),
    field({ name: 'viewer_community_id', label: t('consent.viewer_community') }),
    field({ name: 'start', label: t('consent.start'), type: 'date', value: todayJapan() }),
    field({ name: 'expiry', label: t('consent.expiry'), type: 'date' }),
    field({ name: 'document_ref', label: t('consent.document_ref') }),
    categoryChecks('cat'),
    h('div', { class: 'form-buttons' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('consent.register'))),
    regStatus);
  bindForm(regForm, regStatus, async (v) => {
    const cats = CATEGORIES.filter((c) => v[`cat.${c}`]);
    await api.post(`${A}/consents`, {
      authority: v.authority, local_id: v.local_id, viewer_facility_oid: v.viewer_facility_oid || null,
      viewer_community_id: v.viewer_community_id || null,
      categories: cats.length ? cats : null, start: v.start || null, expiry: v.expiry || null, document_ref: v.document_ref || null,
    });
    findForm.elements.authority.value = v.authority;
    findForm.elements.local_id.value = v.local_id;
    list();
    return t('common.saved');
  });
  const findForm = h('form', { class: 'search-form inline' },
    field({ name: 'authority', label: t('consent.authority') }),
    field({ name: 'local_id', label: t('consent.local_id') }),
    field({ name: 'person_id', label: t('consent.person_id') }),
    h('button', { type: 'submit', class: 'btn btn-secondary' }, t('consent.find')));
  const listSlot = h('div', {});
  const historySlot = h('div', {});
  function actions(c) {
    const box = h('div', { class: 'row-actions' });
    const wd = h('details', { class: 'inline-form' }, h('summary', { class: 'btn btn-danger' }, t('consent.withdraw')));
    const wdForm = h('form', {}, field({ name: 'reason', label: t('consent.withdraw_reason'), required: true }),
      h('button', { type: 'submit', class: 'btn btn-danger' }, t('consent.withdraw')));
    const st = h('div', {});
    bindForm(wdForm, st, async (v) => {
      await api.post(`${A}/consents/${seg(c.id)}/withdraw`, { reason: v.reason });
      list();
      return t('common.done');
    });
    wd.append(wdForm, st);
    box.append(wd, h('button', { type: 'button', class: 'btn btn-secondary', onclick: async () => {
      replace(historySlot, loading());
      try {
        const r = await api.get(`${A}/consents/${seg(c.id)}/history`);
        const items = Array.isArray(r) ? r : r?.items || [];
        replace(historySlot, h('h2', {}, `${t('consent.history')} ${c.id}`), items.length ? genericTableOf(items) : h('p', { class: 'empty' }, t('common.none')));
      } catch (e) {
        replace(historySlot, errorBox(e));
      }
    } }, t('consent.history')));
    return box;
  }
  function list() {
    const v = formValues(findForm);
    if (!v.person_id && !(v.authority && v.local_id)) {
      replace(listSlot);
      return;
    }
    replace(listSlot, genericPaged((cursor) => api.get(`${A}/consents`, { ...v, cursor, page_size: 50 }),
      ['id', 'authority', 'local_id', 'viewer_facility_oid', 'viewer_community_id', 'categories', 'start', 'expiry', 'status', 'withdrawn_at', 'document_ref'], actions));
  }
  findForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    list();
  });
  replace(panel, h('details', { class: 'add-box' }, h('summary', {}, t('consent.register')), regForm), findForm, listSlot, historySlot);
}

function genericTableOf(items) {
  const keys = [];
  for (const i of items) for (const k of Object.keys(i)) if (!keys.includes(k)) keys.push(k);
  return table(keys.map((k) => ({ label: fieldLabel(k), render: (r) => cellValue(k, r[k]) })), items);
}

// ---- policy ------------------------------------------------------------------------------

async function policy(panel) {
  replace(panel, loading());
  let cells;
  try {
    cells = (await api.get(`${A}/policy`))?.cells || [];
  } catch (e) {
    replace(panel, errorBox(e));
    return;
  }
  const key = (c) => `${c.profession}|${c.facility_kind}|${c.category}`;
  const state = new Map(cells.map((c) => [key(c), !!c.allowed]));
  const changed = new Map();
  const kinds = [...new Set([...KINDS, ...cells.map((c) => c.facility_kind)])];
  const profs = [...new Set([...PROFESSIONS, ...cells.map((c) => c.profession)])];
  const status = h('div', { 'aria-live': 'polite' });
  const counter = h('span', { class: 'counter' });
  const save = h('button', { type: 'button', class: 'btn btn-primary', disabled: true }, t('common.save'));
  const profSelect = h('select', { 'aria-label': t('user.profession') }, profs.map((p) => h('option', { value: p }, tv('prof', p))));
  const grid = h('div', {});
  function drawGrid() {
    const prof = profSelect.value;
    const thead = h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('fac.kind')), CATEGORIES.map((c) => h('th', { scope: 'col' }, tv('cat', c)))));
    const tbody = h('tbody', {}, kinds.map((k) => h('tr', {}, h('th', { scope: 'row' }, tv('kind', k)), CATEGORIES.map((c) => {
      const id = `${prof}|${k}|${c}`;
      const box = h('input', { type: 'checkbox', checked: state.get(id) || false, 'aria-label': `${tv('prof', prof)} ${tv('kind', k)} ${tv('cat', c)}`,
        onchange: (ev) => {
          state.set(id, ev.target.checked);
          changed.set(id, { profession: prof, facility_kind: k, category: c, allowed: ev.target.checked });
          counter.textContent = t('policy.changed', { n: changed.size });
          save.disabled = changed.size === 0;
        } });
      return h('td', { class: ['check-cell', changed.has(id) && 'changed'] }, h('label', { class: 'check-hit' }, box));
    }))));
    replace(grid, h('div', { class: 'table-wrap' }, h('table', { class: 'data policy-table', 'data-testid': 'policy-table' }, thead, tbody)));
  }
  profSelect.addEventListener('change', drawGrid);
  save.addEventListener('click', async () => {
    save.disabled = true;
    try {
      await api.put(`${A}/policy`, { cells: [...changed.values()] });
      changed.clear();
      counter.textContent = '';
      replace(status, notice(t('common.saved'), 'success'));
      drawGrid();
    } catch (e) {
      replace(status, errorBox(e));
      save.disabled = false;
    }
  });
  replace(panel, h('p', { class: 'lead' }, t('policy.lead')),
    h('div', { class: 'toolbar' }, h('label', {}, t('user.profession'), ' ', profSelect), counter, save), status, grid);
  drawGrid();
}

// ---- identity review ---------------------------------------------------------------------

function identityCard(idn, label) {
  return h('div', { class: 'identity-card' }, h('h4', {}, label),
    h('dl', {}, Object.entries(idn || {}).map(([k, v]) => [
      h('dt', {}, fieldLabel(k)),
      h('dd', {}, cellValue(k, v))])));
}

async function identity(panel) {
  const listSlot = h('div', {}, loading());
  const unlinkStatus = h('div', {});
  const unlinkForm = h('form', { class: 'admin-form grid-form' },
    field({ name: 'person_id', label: t('consent.person_id'), required: true }),
    field({ name: 'authority', label: t('consent.authority'), required: true }),
    field({ name: 'local_id', label: t('consent.local_id'), required: true }),
    field({ name: 'reason', label: t('idr.reason'), required: true }),
    h('div', { class: 'form-buttons' }, h('button', { type: 'submit', class: 'btn btn-danger' }, t('idr.unlink'))), unlinkStatus);
  bindForm(unlinkForm, unlinkStatus, async (v) => {
    await api.post(`${A}/persons/${seg(v.person_id)}/unlink`, { authority: v.authority, local_id: v.local_id, reason: v.reason });
    return t('common.done');
  });
  replace(panel, listSlot, h('details', { class: 'add-box' }, h('summary', {}, t('idr.unlink')), unlinkForm));
  async function load() {
    try {
      const r = await api.get(`${A}/identity-review`, { page_size: 50 });
      const items = r?.items || [];
      if (!items.length) {
        replace(listSlot, h('p', { class: 'empty' }, t('idr.empty')));
        return;
      }
      replace(listSlot, items.map((m) => {
        const st = h('div', {});
        const reason = field({ name: 'reason', label: t('idr.reason') });
        const act = async (action) => {
          try {
            await api.post(`${A}/identity-review/${seg(m.id)}`, { action, reason: reason.querySelector('input').value });
            load();
          } catch (e) {
            replace(st, errorBox(e));
          }
        };
        return h('article', { class: 'match' },
          h('div', { class: 'match-score' }, `${t('idr.score')}: ${displayValue(m.score)}`),
          h('div', { class: 'match-pair' }, identityCard(m.a, t('idr.a')), identityCard(m.b, t('idr.b'))),
          reason,
          h('div', { class: 'row-actions' },
            h('button', { type: 'button', class: 'btn btn-primary', onclick: () => act('link') }, t('idr.link')),
            h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => act('keep_apart') }, t('idr.keep_apart'))),
          st);
      }));
    } catch (e) {
      replace(listSlot, errorBox(e));
    }
  }
  load();
}

// ---- audit -------------------------------------------------------------------------------

function audit(panel) {
  const form = h('form', { class: 'search-form inline' },
    field({ name: 'from', label: t('audit.from'), type: 'date' }),
    field({ name: 'to', label: t('audit.to'), type: 'date' }),
    field({ name: 'user', label: t('audit.user') }),
    field({ name: 'person_id', label: t('audit.person_id') }),
    field({ name: 'facility_oid', label: t('audit.facility_oid') }),
    field({ name: 'event', label: t('audit.event') }),
    h('div', { class: 'search-buttons' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('common.search'))));
  const listSlot = h('div', {});
  const verifyStatus = h('div', { 'aria-live': 'polite', 'data-testid': 'verify-status' });
  const verify = h('button', { type: 'button', class: 'btn btn-secondary', 'data-testid': 'audit-verify', onclick: async () => {
    verify.disabled = true;
    replace(verifyStatus, loading());
    try {
      const r = await api.post(`${A}/audit/verify`, {});
      replace(verifyStatus, r?.ok
        ? notice(t('audit.verify_ok'), 'success')
        : notice(t('audit.verify_broken', { seq: r?.first_broken_seq ?? '?', detail: r?.detail ?? '' }), 'error'));
    } catch (e) {
      replace(verifyStatus, errorBox(e));
    } finally {
      verify.disabled = false;
    }
  } }, t('audit.verify'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const v = formValues(form);
    replace(listSlot, genericPaged((cursor) => api.get(`${A}/audit`, { ...v, cursor, page_size: 100 }),
      ['seq', 'at', 'event', 'user', 'facility_oid', 'person_id', 'category', 'outcome', 'reason']));
  });
  replace(panel, h('div', { class: 'toolbar' }, verify), verifyStatus, form, listSlot);
  form.requestSubmit();  // the latest records first, before any filter
}

// ---- access report -----------------------------------------------------------------------

function report(panel, ctx) {
  const form = h('form', { class: 'search-form inline no-print' },
    field({ name: 'person_id', label: t('report.person_id'), required: true, value: ctx.params?.[0] || '' }),
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('report.show')));
  const out = h('div', { class: 'access-report' });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const pid = form.elements.person_id.value.trim();
    if (!pid) return;
    replace(out, loading());
    try {
      const r = await api.get(`${A}/persons/${seg(pid)}/access-report`);
      const items = Array.isArray(r) ? r : r?.items || r?.accesses || [];
      const person = r?.person || null;
      replace(out,
        h('div', { class: 'report-head' },
          h('h2', {}, t('report.heading')),
          person ? h('p', { class: 'report-person' }, [person.name_kanji, person.name_kana && `（${person.name_kana}）`, person.birth_date && formatDate(person.birth_date)].filter(Boolean).join(' ')) : null,
          h('p', {}, `${t('report.person_id')}: ${pid}`),
          h('p', {}, t('report.generated', { date: formatDate(todayJapan()) }))),
        items.length ? genericTableOf(items) : h('p', { class: 'empty' }, t('common.none')),
        h('div', { class: 'no-print form-buttons' }, h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => window.print() }, t('common.print'))));
    } catch (e) {
      replace(out, errorBox(e));
    }
  });
  replace(panel, form, out);
  if (ctx.params?.[0]) form.requestSubmit();
}

const RENDERERS = { facilities, users, import: importPage, feeds: connectedSystems, consents, policy, identity, audit, report, stats: statsPage, fhir: fhirApps, disaster: disasterDeclarations };
