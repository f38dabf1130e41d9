// Shared widgets: error boxes, the partial-answer banner, tables, "show more" paging,
// facility colours and form fields.

import { h, replace } from './dom.js';
import { t, tv, lang, formatDate, formatDateTime } from './i18n.js';

export function errorBox(err) {
  const box = h('div', { class: 'alert alert-error', role: 'alert' }, err?.message || String(err));
  if (err?.requestId) box.appendChild(h('div', { class: 'request-id' }, t('common.request_id', { id: err.requestId })));
  return box;
}

export function notice(text, kind = 'info') {
  return h('div', { class: `alert alert-${kind}`, role: kind === 'info' ? 'status' : 'alert' }, text);
}

export function loading() {
  return h('div', { class: 'loading', role: 'status' }, t('common.loading'));
}

// 「一部の施設から応答がありません: ○○病院（タイムアウト）」
export function missingText(missing) {
  const sep = lang() === 'en' ? ', ' : '、';
  const list = missing
    .map((m) => {
      const name = m.facility_name || m.facility_oid || '?';
      const reason = tv('missing', m.reason);
      return lang() === 'en' ? `${name} (${reason})` : `${name}（${reason}）`;
    })
    .join(sep);
  return t('missing.banner', { list });
}

export function missingBanner(missing) {
  if (!Array.isArray(missing) || missing.length === 0) return null;
  return h('div', { class: 'banner-partial', role: 'alert', 'data-testid': 'partial-banner' },
    h('strong', {}, missingText(missing)), ' ', t('missing.partial'));
}

// Facility colours: the patient page assigns each facility a slot so the same hospital has
// the same colour in every tab.
const facilitySlots = new Map();
export function resetFacilityColours(oids) {
  facilitySlots.clear();
  oids.forEach((oid, i) => facilitySlots.set(oid, i % 8));
}
export function facilityClass(oid) {
  if (!facilitySlots.has(oid)) facilitySlots.set(oid, facilitySlots.size % 8);
  return `fac-${facilitySlots.get(oid)}`;
}
export function facilityTag(item) {
  const tag = h('span', { class: ['fac-tag', facilityClass(item.facility_oid)], title: item.facility_oid || '' },
    item.facility_name || item.facility_oid || '');
  return item.preserved ? h('span', {}, tag, ' ', preservedTag(item.preserved)) : tag;
}

// 「災害時保全データ（2026年12月1日 12:00 時点）」: an item or source served from a disaster
// standby (a preserved copy of the facility's records, as of its time).
export function preservedTag(preserved) {
  return h('span', { class: 'preserved-tag', 'data-testid': 'preserved-tag' },
    t('preserved.as_of', { at: formatDateTime(preserved.as_of) }));
}

// The patient page's notice when any source is a preserved copy.
export function preservedBanner(facilities) {
  const list = (facilities || []).filter((f) => f.preserved);
  if (!list.length) return null;
  return h('div', { class: 'banner-preserved', role: 'status', 'data-testid': 'preserved-banner' },
    h('strong', {}, t('preserved.banner')), ' ',
    list.map((f) => h('span', { class: 'preserved-source' }, f.name || f.oid, ' ', preservedTag(f.preserved))));
}

// columns: [{label, render: row => node|string, class}]
export function table(columns, rows, options = {}) {
  const thead = h('thead', {}, h('tr', {}, columns.map((c) => h('th', { class: c.class, scope: 'col' }, c.label))));
  const tbody = h('tbody', {});
  appendRows(tbody, columns, rows, options);
  return h('div', { class: 'table-wrap' }, h('table', { class: ['data', options.class] }, thead, tbody));
}

export function appendRows(tbody, columns, rows, options = {}) {
  for (const row of rows) {
    const tr = h('tr', { class: options.rowClass ? options.rowClass(row) : null },
      columns.map((c) => h('td', { class: c.class, 'data-label': c.label }, c.render(row))));
    tbody.appendChild(tr);
  }
}

// A table whose rows come from a paged endpoint: load(cursor) → {items, next_cursor, missing}.
// onPage(page) lets the caller see each page (e.g. for its `missing`).
export function pagedTable(columns, load, options = {}) {
  const wrap = h('div', { class: 'paged' });
  const tbody = h('tbody', {});
  const tableEl = h('div', { class: 'table-wrap' }, h('table', { class: ['data', options.class] },
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { class: c.class, scope: 'col' }, c.label)))), tbody));
  const status = h('div', { class: 'paged-status' });
  const more = h('button', { type: 'button', class: 'btn btn-secondary more', hidden: true }, t('common.more'));
  let cursor = null;
  let count = 0;
  async function next() {
    more.disabled = true;
    replace(status, loading());
    try {
      const page = await load(cursor);
      options.onPage?.(page);
      const items = page?.items || [];
      appendRows(tbody, columns, items, options);
      count += items.length;
      cursor = page?.next_cursor || null;
      more.hidden = !cursor;
      replace(status, count === 0 ? h('p', { class: 'empty' }, options.empty || t('common.none')) : null);
    } catch (e) {
      replace(status, errorBox(e));
      options.onError?.(e);
    } finally {
      more.disabled = false;
    }
  }
  more.addEventListener('click', next);
  wrap.append(tableEl, status, more);
  next();
  return wrap;
}

let fieldSeq = 0;
// A labelled input. spec: {name, label, type, value, required, options:[[value,label]], hint}
export function field(spec) {
  const id = `f-${spec.name}-${++fieldSeq}`;
  let input;
  if (spec.type === 'select') {
    input = h('select', { id, name: spec.name, required: spec.required },
      (spec.options || []).map(([v, l]) => h('option', { value: v, selected: String(spec.value ?? '') === String(v) }, l)));
  } else if (spec.type === 'checkbox') {
    input = h('input', { id, name: spec.name, type: 'checkbox', checked: !!spec.value });
    return h('div', { class: 'field field-check' }, input, h('label', { for: id }, spec.label));
  } else if (spec.type === 'textarea') {
    input = h('textarea', { id, name: spec.name, required: spec.required, rows: 3 }, spec.value ?? '');
  } else {
    input = h('input', {
      id, name: spec.name, type: spec.type || 'text', value: spec.value ?? '', required: spec.required,
      autocomplete: spec.autocomplete || 'off', inputmode: spec.inputmode, pattern: spec.pattern,
      placeholder: spec.placeholder, maxlength: spec.maxlength,
    });
  }
  return h('div', { class: 'field' }, h('label', { for: id }, spec.label), input,
    spec.hint ? h('div', { class: 'hint' }, spec.hint) : null);
}

// Reads a form's named controls into an object (checkboxes → booleans, empty → omitted).
export function formValues(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name) continue;
    if (el.type === 'checkbox') out[el.name] = el.checked;
    else if (el.value !== '') out[el.name] = el.value;
  }
  return out;
}

export function sexLabel(s) {
  return tv('sex', s);
}

// A generic table for records whose exact shape the API leaves open (audit, consents,
// identities): known keys first with translated headers, then any others.
export function genericTable(items, preferred, extraColumns = []) {
  const keys = [];
  for (const k of preferred) if (items.some((i) => i[k] !== undefined)) keys.push(k);
  for (const i of items) for (const k of Object.keys(i)) if (!keys.includes(k)) keys.push(k);
  const columns = keys.map((k) => ({ label: fieldLabel(k), render: (r) => cellValue(k, r[k]) }));
  return table(columns.concat(extraColumns), items);
}

export function displayValue(v) {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(displayValue).join(', ');
  if (typeof v === 'object') {
    if ('name' in v && typeof v.name === 'string') return v.name;
    return Object.entries(v).map(([k, x]) => `${k}: ${displayValue(x)}`).join(' / ');
  }
  if (typeof v === 'boolean') return v ? t('common.yes') : t('common.no');
  return String(v);
}

const ENUM_PREFIX = { profession: 'prof', category: 'cat', categories: 'cat', kind: 'kind', facility_kind: 'kind', status: 'status', sex: 'sex' };

// A record field for display: timestamps in Japan time, enumerations translated.
export function cellValue(key, v) {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string' && /(^at$|_at$|^start$|^end$|^expiry$|_date$|^date$)/.test(key)) {
    return /T\d{2}:/.test(v) ? formatDateTime(v) : formatDate(v);
  }
  const prefix = ENUM_PREFIX[key];
  if (prefix && typeof v === 'string') return tv(prefix, v);
  if (prefix && Array.isArray(v)) return v.map((x) => tv(prefix, x)).join(lang() === 'en' ? ', ' : '、');
  return displayValue(v);
}

export function fieldLabel(key) {
  const k = `field.${key}`;
  return t(k) === k ? key : t(k);
}
