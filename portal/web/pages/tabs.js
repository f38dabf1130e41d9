// The list tabs of the patient page: 受診歴 (timeline), 病名, 処方, 注射, アレルギー, レポート.
// Each reads an Envelope (items, missing, next_cursor) and pages with "show more".

import { h, replace } from '../dom.js';
import { t, tv, formatDate, formatDateTime } from '../i18n.js';
import { api } from '../api.js';
import { errorBox, loading, missingBanner, facilityTag, facilityClass, table, appendRows } from '../ui.js';
import * as norm from '../normalize.js';

// Loads an Envelope page by page into panel. onItems(items, container, first) renders.
export function envelopeView(panel, url, onItems, options = {}) {
  const banner = h('div', { class: 'banner-slot' });
  const body = h('div', { class: 'envelope-body' });
  const status = h('div', { class: 'paged-status' });
  const more = h('button', { type: 'button', class: 'btn btn-secondary more', hidden: true }, t('common.more'));
  const missingSeen = new Map();
  let cursor = null;
  let total = 0;
  async function next() {
    more.disabled = true;
    replace(status, loading());
    try {
      const page = await api.get(url, { cursor, page_size: options.pageSize || 100, ...(options.query || {}) });
      // Facilities the page header already names as missing are not named twice.
      for (const m of page?.missing || []) if (!options.shownMissing?.has(m.facility_oid)) missingSeen.set(m.facility_oid, m);
      replace(banner, missingBanner([...missingSeen.values()]));
      const raw = page?.items || [];
      const items = options.normalize ? raw.flatMap((x) => options.normalize(x)) : raw;
      onItems(items, body, total === 0);
      total += items.length;
      cursor = page?.next_cursor || null;
      more.hidden = !cursor;
      replace(status, total === 0 ? h('p', { class: 'empty' }, t('common.none')) : null);
    } catch (e) {
      if (e.status === 403 || e.status === 404) {
        replace(status, h('div', { class: 'alert alert-info', role: 'status', 'data-testid': 'tab-refused' }, t('tab.forbidden')));
      } else {
        replace(status, errorBox(e));
      }
    } finally {
      more.disabled = false;
    }
  }
  more.addEventListener('click', next);
  replace(panel, banner, body, status, more);
  return next();
}

// A table that grows page by page.
function tableTab(panel, url, columns, cls, ctx, normalize) {
  let tbody = null;
  return envelopeView(panel, url, (items, body, first) => {
    if (first) {
      const wrap = table(columns, [], { class: cls });
      tbody = wrap.querySelector('tbody');
      replace(body, wrap);
    }
    appendRows(tbody, columns, items, { rowClass: (r) => facilityClass(r.facility_oid) });
  }, envOptions(ctx, { normalize }));
}

// Options every tab passes to envelopeView.
export function envOptions(ctx, extra = {}) {
  return { shownMissing: new Set((ctx?.person?.missing || []).map((m) => m.facility_oid)), ...extra };
}

function period(start, end) {
  if (!start && !end) return '';
  if (!end || end === start) return formatDateTime(start);
  return `${formatDateTime(start)} 〜 ${formatDateTime(end)}`;
}

function codeText(c) {
  return c?.name || c?.code || '';
}

function quantity(q) {
  if (!q || q.value === undefined || q.value === null || q.value === '') return '';
  return `${q.value}${q.unit ? ` ${q.unit}` : ''}`;
}

export function encounters(panel, ctx) {
  let list = null;
  return envelopeView(panel, `${ctx.base}/encounters`, (items, body, first) => {
    if (first) {
      list = h('ol', { class: 'timeline', 'data-testid': 'timeline' });
      replace(body, list);
    }
    for (const e of items) {
      list.appendChild(h('li', { class: ['tl-item', facilityClass(e.facility_oid), e.cancelled && 'cancelled', `enc-${e.kind}`] },
        h('div', { class: 'tl-date' }, period(e.start, e.end)),
        h('div', { class: 'tl-body' },
          h('div', { class: 'tl-head' },
            h('span', { class: ['badge', `badge-${e.kind}`] }, tv('enc', e.event || e.kind)),
            facilityTag(e),
            e.cancelled ? h('span', { class: 'badge badge-cancelled' }, t('enc.cancelled')) : null),
          h('div', { class: 'tl-detail' },
            [e.department?.name && `${t('enc.department')}: ${e.department.name}`,
              e.doctor && `${t('enc.doctor')}: ${e.doctor}`,
              e.ward && e.kind !== 'outpatient' && `${t('enc.ward')}: ${e.ward}`].filter(Boolean).join('　')))));
    }
  }, envOptions(ctx, { normalize: norm.encounter }));
}

export function diagnoses(panel, ctx) {
  return tableTab(panel, `${ctx.base}/diagnoses`, [
    { label: t('dx.name'), render: (d) => h('span', { class: 'dx-name' },
      d.name || codeText(d.code),
      d.main ? h('span', { class: 'badge badge-main' }, t('dx.main')) : null,
      d.suspected ? h('span', { class: 'badge badge-suspected' }, t('dx.suspected')) : null) },
    { label: t('dx.icd10'), render: (d) => d.icd10 || '' },
    { label: t('dx.start'), render: (d) => formatDate(d.start) },
    { label: t('dx.end'), render: (d) => formatDate(d.end) },
    { label: t('dx.outcome'), render: (d) => d.outcome || '' },
    { label: t('common.facility'), render: facilityTag },
  ], 'diagnoses', ctx, norm.diagnosis);
}

function medicationColumns(dateKey, dateLabel) {
  return [
    { label: dateLabel, render: (r) => formatDateTime(r[dateKey]) },
    { label: t('rx.drug'), class: 'col-drug', render: (r) => r.drug?.name || r.drug?.code || '' },
    { label: t('rx.dose'), render: (r) => quantity(r.dose) },
    { label: t('rx.usage'), render: (r) => r.usage?.name || r.usage?.code || '' },
    { label: t('rx.days'), class: 'num', render: (r) => (r.days ? t('rx.days_value', { days: r.days }) : '') },
    { label: t('rx.total'), render: (r) => quantity(r.total) },
    { label: t('rx.route'), render: (r) => r.route || '' },
    { label: t('common.facility'), render: facilityTag },
  ];
}

export function prescriptions(panel, ctx) {
  return tableTab(panel, `${ctx.base}/prescriptions`, medicationColumns('ordered_at', t('rx.ordered_at')), 'prescriptions', ctx, norm.prescription);
}

export function injections(panel, ctx) {
  return tableTab(panel, `${ctx.base}/injections`,
    medicationColumns('administered_at', t('rx.administered_at')).filter((c) => c.label !== t('rx.days')), 'injections', ctx, norm.injection);
}

export function allergies(panel, ctx) {
  return tableTab(panel, `${ctx.base}/allergies`, [
    { label: t('al.allergen'), render: (a) => h('span', { class: 'allergy' }, a.allergen?.name || a.allergen?.code || '') },
    { label: t('al.kind'), render: (a) => a.kind || '' },
    { label: t('al.severity'), render: (a) => a.severity || '' },
    { label: t('al.reaction'), render: (a) => a.reaction || '' },
    { label: t('common.facility'), render: facilityTag },
  ], 'allergies', ctx, norm.allergy);
}

export function reports(panel, ctx) {
  let list = null;
  return envelopeView(panel, `${ctx.base}/reports`, (items, body, first) => {
    if (first) {
      list = h('div', { class: 'reports' });
      replace(body, list);
    }
    for (const r of items) {
      list.appendChild(h('article', { class: ['report', facilityClass(r.facility_oid)] },
        h('header', {},
          h('span', { class: 'report-date' }, formatDateTime(r.performed_at)),
          h('span', { class: 'badge' }, tv('rep', r.kind)),
          r.modality ? h('span', { class: 'badge' }, r.modality) : null,
          facilityTag(r)),
        h('h3', {}, r.description || ''),
        h('p', { class: 'report-text' }, r.report_text || '')));
    }
  }, envOptions(ctx, { normalize: norm.study }));
}
