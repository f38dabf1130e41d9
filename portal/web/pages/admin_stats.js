// Secretariat console, usage statistics (docs/api.md "Usage statistics"): a period picker,
// headline patient figures, a monthly trend of views per category drawn as inline SVG (no
// chart library: the CSP allows only our own scripts), tables per municipality, per
// disclosing facility and of the facilities, CSV/JSON downloads, and a print layout for
// the monthly report to the prefecture. What is printed or downloaded as "public" leaves
// the secretariat, so it is always the suppressed figures (cells under 10 patients). The
// tables also show the secondary medical areas (二次医療圏) and the views across networks.
// A prefecture officer sees this page alone, with the suppressed figures only.

import { h, svg, replace } from '../dom.js';
import { t, tv, todayJapan } from '../i18n.js';
import { api, buildQuery } from '../api.js';
import { errorBox, loading, table } from '../ui.js';

const A = '/api/v1/admin/stats';
const SERIES_COLOURS = ['#1f6fb2', '#d9822b', '#2e8b57', '#8e44ad', '#c0392b', '#16a085', '#7f8c8d', '#b7950b', '#34495e', '#e84393'];

// The first day of the eleventh month before `to`: twelve calendar months.
function defaultFrom(to) {
  const [y, m] = to.split('-').map(Number);
  const months = y * 12 + (m - 1) - 11;
  return `${Math.floor(months / 12)}-${String((months % 12) + 1).padStart(2, '0')}-01`;
}

function count(v) {
  if (v === null || v === undefined) return h('span', { class: 'suppressed', title: t('stats.suppressed_hint') }, t('stats.suppressed'));
  return typeof v === 'number' ? v.toLocaleString() : String(v);
}

function share(v) {
  if (v === null || v === undefined) return h('span', { class: 'suppressed' }, t('stats.suppressed'));
  return `${(v * 100).toFixed(1)}%`;
}

function months(report) {
  const set = new Set();
  for (const c of report.views_by_category) set.add(c.month);
  return [...set].sort();
}

// One line per category over the months; a suppressed month is a gap in its line.
function trendChart(report) {
  const ms = months(report);
  const cats = [...new Set(report.views_by_category.map((c) => c.category))].sort();
  const W = 760, H = 280, pad = { l: 56, r: 36, t: 16, b: 40 };
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'stats-chart', role: 'img', 'aria-label': t('stats.trend'), 'data-testid': 'stats-trend' });
  if (!ms.length) return h('p', { class: 'empty' }, t('common.none'));
  const value = new Map(report.views_by_category.map((c) => [`${c.month}|${c.category}`, c.views]));
  const max = Math.max(1, ...report.views_by_category.map((c) => c.views || 0));
  const x = (i) => pad.l + (ms.length === 1 ? (W - pad.l - pad.r) / 2 : (i * (W - pad.l - pad.r)) / (ms.length - 1));
  const y = (v) => H - pad.b - (v / max) * (H - pad.t - pad.b);
  for (let k = 0; k <= 4; k++) {
    const v = Math.round((max * k) / 4);
    chart.appendChild(svg('line', { class: 'grid', x1: pad.l, x2: W - pad.r, y1: y(v), y2: y(v) }));
    chart.appendChild(svg('text', { class: 'tick', x: pad.l - 6, y: y(v) + 4, 'text-anchor': 'end' }, v.toLocaleString()));
  }
  ms.forEach((m, i) => chart.appendChild(svg('text', { class: 'tick', x: x(i), y: H - pad.b + 18, 'text-anchor': 'middle' }, m)));
  cats.forEach((cat, n) => {
    const colour = SERIES_COLOURS[n % SERIES_COLOURS.length];
    let run = [];
    const flush = () => {
      if (run.length > 1) chart.appendChild(svg('polyline', { class: 'series', fill: 'none', stroke: colour, 'stroke-width': 2, points: run.join(' ') }));
      run = [];
    };
    ms.forEach((m, i) => {
      const v = value.get(`${m}|${cat}`);
      if (v === null || v === undefined) return flush();
      run.push(`${x(i)},${y(v)}`);
      chart.appendChild(svg('circle', { cx: x(i), cy: y(v), r: 3, fill: colour }, svg('title', {}, `${m} ${tv('cat', cat)} ${v}`)));
    });
    flush();
  });
  const legend = h('ul', { class: 'stats-legend' }, cats.map((cat, n) =>
    h('li', {}, svg('svg', { width: 12, height: 12, 'aria-hidden': 'true' }, svg('rect', { width: 12, height: 12, fill: SERIES_COLOURS[n % SERIES_COLOURS.length] })), ' ', tv('cat', cat))));
  return h('figure', { class: 'stats-figure' }, chart, legend);
}

function headline(report) {
  const p = report.patients;
  const item = (key, v) => h('div', { class: 'stat-card' }, h('div', { class: 'stat-label' }, t(`stats.${key}`)), h('div', { class: 'stat-value', 'data-testid': `stat-${key}` }, v));
  return h('div', { class: 'stat-cards' },
    item('consented_patients', count(p.consented_patients)),
    item('actively_shared_patients', count(p.actively_shared_patients)),
    item('actively_shared_share', share(p.actively_shared_share)),
    item('consents_given', count(p.consents_given)),
    item('consents_withdrawn', count(p.consents_withdrawn)),
    item('consents_expired', count(p.consents_expired)));
}

function town(r) {
  if (!r.municipality) return t('stats.unknown');
  return r.municipality_name ? `${r.municipality_name}（${r.municipality}）` : r.municipality;
}

function area(r) {
  return r.area_name || t('stats.unknown');
}

// Facilities per secondary medical area (二次医療圏) and kind: the facility rows summed. These
// are counts of facilities, not of patients, so nothing here is suppressed.
function facilitiesByArea(report) {
  const rows = new Map();
  for (const f of report.facilities) {
    const key = `${f.area_code}|${f.kind}`;
    const row = rows.get(key) || { area_code: f.area_code, area_name: f.area_name, kind: f.kind, disclosing: 0, viewing: 0, count: 0 };
    row.count += f.count;
    if (f.discloses) row.disclosing += f.count;
    if (f.views) row.viewing += f.count;
    rows.set(key, row);
  }
  const sorted = [...rows.values()].sort((a, b) => (a.area_code || '~').localeCompare(b.area_code || '~') || a.kind.localeCompare(b.kind));
  return table([
    { label: t('stats.area'), render: area },
    { label: t('stats.kind'), render: (r) => tv('kind', r.kind) },
    { label: t('stats.disclosing'), class: 'num', render: (r) => count(r.disclosing) },
    { label: t('stats.viewing'), class: 'num', render: (r) => count(r.viewing) },
    { label: t('stats.count'), class: 'num', render: (r) => count(r.count) },
  ], sorted, { class: 'stats-table' });
}

function tables(report) {
  const byTown = table([
    { label: t('stats.month'), render: (r) => r.month },
    { label: t('stats.area'), render: area },
    { label: t('stats.municipality'), render: town },
    { label: t('stats.kind'), render: (r) => (r.kind ? tv('kind', r.kind) : t('stats.unknown')) },
    { label: t('stats.views'), class: 'num', render: (r) => count(r.views) },
    { label: t('stats.patients'), class: 'num', render: (r) => count(r.patients) },
  ], report.views_by_viewer, { class: 'stats-table' });
  const bySource = table([
    { label: t('stats.month'), render: (r) => r.month },
    { label: t('stats.source'), render: (r) => r.facility_name || r.facility_oid },
    { label: t('stats.views'), class: 'num', render: (r) => count(r.views) },
    { label: t('stats.patients'), class: 'num', render: (r) => count(r.patients) },
  ], report.views_by_source, { class: 'stats-table' });
  const byCommunity = report.views_by_community.length ? table([
    { label: t('stats.month'), render: (r) => r.month },
    { label: t('stats.direction'), render: (r) => t(`stats.direction_${r.direction}`) },
    { label: t('stats.community'), render: (r) => r.community_name || r.community },
    { label: t('stats.views'), class: 'num', render: (r) => count(r.views) },
    { label: t('stats.patients'), class: 'num', render: (r) => count(r.patients) },
  ], report.views_by_community, { class: 'stats-table' }) : h('p', { class: 'empty' }, t('common.none'));
  const facilities = table([
    { label: t('stats.kind'), render: (r) => tv('kind', r.kind) },
    { label: t('stats.area'), render: area },
    { label: t('stats.municipality'), render: town },
    { label: t('stats.role'), render: (r) => [r.discloses && t('stats.disclosing'), r.views && t('stats.viewing')].filter(Boolean).join(' / ') },
    { label: t('stats.count'), class: 'num', render: (r) => count(r.count) },
  ], report.facilities, { class: 'stats-table' });
  return [
    h('h3', {}, t('stats.by_municipality')), h('div', { 'data-testid': 'stats-by-municipality' }, byTown),
    h('h3', {}, t('stats.by_source')), bySource,
    h('h3', {}, t('stats.by_community')), h('div', { 'data-testid': 'stats-by-community' }, byCommunity),
    h('h3', {}, t('stats.facilities_by_area')), h('div', { 'data-testid': 'stats-facilities-by-area' }, facilitiesByArea(report)),
    h('h3', {}, t('stats.facilities')), facilities,
  ];
}

export async function statsPage(panel, ctx) {
  // The prefecture officer reads what leaves the secretariat: suppressed, public exports only.
  const officer = !ctx?.session?.user?.roles?.includes('admin');
  const to = todayJapan();
  const form = h('form', { class: 'admin-form stats-period no-print', 'data-testid': 'stats-period' },
    h('label', {}, t('stats.from'), ' ', h('input', { type: 'date', name: 'from', value: defaultFrom(to), required: true })),
    h('label', {}, t('stats.to'), ' ', h('input', { type: 'date', name: 'to', value: to, required: true })),
    officer ? null : h('label', {}, h('input', { type: 'checkbox', name: 'suppress' }), ' ', t('stats.suppress')),
    h('button', { type: 'submit', class: 'btn' }, t('stats.show')));
  const downloads = h('p', { class: 'stats-downloads no-print' });
  const printBtn = h('button', { type: 'button', class: 'btn btn-secondary' }, t('stats.print'));
  const body = h('div', { class: 'stats-body' });
  replace(panel, h('h2', { class: 'no-print' }, t('admin.stats')), form, downloads, h('p', { class: 'no-print' }, printBtn), body);

  const period = () => ({ from: form.elements.from.value, to: form.elements.to.value });
  function links() {
    const link = (format, scope) => h('a', { class: 'btn btn-secondary', href: `${A}/export${buildQuery({ format, scope, ...period() })}`, download: '', 'data-testid': `stats-export-${scope}-${format}` }, t(`stats.export_${scope}`, { format: format.toUpperCase() }));
    replace(downloads, link('csv', 'public'), ' ', link('json', 'public'), officer ? null : ' ', officer ? null : link('csv', 'internal'));
  }
  async function show(suppress) {
    links();
    replace(body, loading());
    try {
      const report = await api.get(A, { ...period(), suppress: suppress ? 'true' : '' });
      replace(body,
        h('header', { class: 'stats-title' },
          h('h2', {}, t('stats.report_title')),
          h('p', {}, t('stats.period', { from: report.period.from, to: report.period.to })),
          report.suppressed ? h('p', { class: 'stats-note', 'data-testid': 'stats-suppressed-note' }, t('stats.suppressed_note', { n: report.min_cell_patients })) : null),
        headline(report),
        h('h3', {}, t('stats.trend')), trendChart(report),
        tables(report));
      return report;
    } catch (e) {
      replace(body, errorBox(e));
      return null;
    }
  }
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    show(officer || form.elements.suppress.checked);
  });
  // The printed monthly report goes to the prefecture: always the suppressed figures.
  printBtn.addEventListener('click', async () => {
    if (!officer) form.elements.suppress.checked = true;
    if (await show(true)) window.print();
  });
  await show(officer);
}
