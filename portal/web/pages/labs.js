// 検査結果: a date × item table (items down, collection times across, newest first) with
// units, reference ranges and H/L marks, and an SVG trend chart per item.

import { h, svg, replace } from '../dom.js';
import { t, formatDate, formatDateTime } from '../i18n.js';
import { envelopeView, envOptions } from './tabs.js';
import * as norm from '../normalize.js';
import { facilityClass } from '../ui.js';

function itemKey(r) {
  const i = r.item || {};
  return i.code ? `${i.system || ''}|${i.code}` : `name|${i.name || ''}`;
}

function rangeText(range) {
  if (!range) return '';
  if (range.text) return range.text;
  const lo = range.low ?? '';
  const hi = range.high ?? '';
  if (lo === '' && hi === '') return '';
  return `${lo}–${hi}`;
}

function numeric(v) {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v !== 'string') return null;
  const m = /^\s*[<>≦≧]?\s*(-?\d+(?:\.\d+)?)\s*$/.exec(v);
  return m ? Number(m[1]) : null;
}

// Groups results into rows (items) and columns (collection time + facility).
export function buildGrid(results) {
  const rows = new Map();
  const cols = new Map();
  for (const r of results) {
    const k = itemKey(r);
    if (!rows.has(k)) rows.set(k, { key: k, item: r.item || {}, unit: r.unit, range: r.range, cells: new Map(), results: [] });
    const row = rows.get(k);
    const ck = `${r.collected_at}|${r.facility_oid}`;
    if (!cols.has(ck)) cols.set(ck, { key: ck, at: r.collected_at, facility_oid: r.facility_oid, facility_name: r.facility_name });
    row.cells.set(ck, r);
    row.results.push(r);
    if (!row.unit && r.unit) row.unit = r.unit;
    if (!row.range && r.range) row.range = r.range;
  }
  const columns = [...cols.values()].sort((a, b) => String(b.at).localeCompare(String(a.at)));
  return { rows: [...rows.values()], columns };
}

function flagClass(flag) {
  if (flag === 'H') return 'flag-h';
  if (flag === 'L') return 'flag-l';
  return '';
}

function cell(r) {
  if (!r) return h('td', { class: 'lab-cell empty' });
  const flag = r.flag === 'H' || r.flag === 'L' ? r.flag : '';
  return h('td', { class: ['lab-cell', 'num', flagClass(flag)], title: r.specimen || '' },
    String(r.value ?? ''),
    flag ? h('span', { class: 'flag', 'aria-label': flag === 'H' ? t('lab.high') : t('lab.low') }, flag) : null);
}

// A trend chart of one item's numeric values over time, reference band shaded.
export function trendChart(row) {
  const points = row.results
    .map((r) => ({ at: Date.parse(r.collected_at), v: numeric(r.value), r }))
    .filter((p) => p.v !== null && !Number.isNaN(p.at))
    .sort((a, b) => a.at - b.at);
  const title = t('lab.trend_of', { item: row.item.name || row.item.code || '' });
  if (points.length === 0) return h('div', { class: 'trend' }, h('h3', {}, title), h('p', { class: 'empty' }, t('lab.no_numeric')));
  const W = 720;
  const H = 260;
  const pad = { l: 56, r: 16, t: 16, b: 40 };
  const lo = numeric(row.range?.low);
  const hi = numeric(row.range?.high);
  let vmin = Math.min(...points.map((p) => p.v), lo ?? Infinity);
  let vmax = Math.max(...points.map((p) => p.v), hi ?? -Infinity);
  if (vmin === vmax) {
    vmin -= 1;
    vmax += 1;
  }
  const margin = (vmax - vmin) * 0.1;
  // Most lab values cannot be negative: do not draw the axis below zero for them.
  vmin = vmin >= 0 ? Math.max(0, vmin - margin) : vmin - margin;
  vmax += margin;
  let tmin = points[0].at;
  let tmax = points[points.length - 1].at;
  if (tmin === tmax) {
    tmin -= 86400000;
    tmax += 86400000;
  }
  const x = (at) => pad.l + ((at - tmin) / (tmax - tmin)) * (W - pad.l - pad.r);
  const y = (v) => H - pad.b - ((v - vmin) / (vmax - vmin)) * (H - pad.t - pad.b);
  const g = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'trend-chart', role: 'img', 'aria-label': title, 'data-testid': 'trend-chart' });
  if (lo !== null || hi !== null) {
    const top = y(hi ?? vmax);
    const bottom = y(lo ?? vmin);
    g.appendChild(svg('rect', { class: 'ref-band', x: pad.l, y: top, width: W - pad.l - pad.r, height: Math.max(0, bottom - top) }));
  }
  // y axis: 5 ticks
  for (let i = 0; i <= 4; i++) {
    const v = vmin + ((vmax - vmin) * i) / 4;
    const yy = y(v);
    g.appendChild(svg('line', { class: 'grid', x1: pad.l, x2: W - pad.r, y1: yy, y2: yy }));
    g.appendChild(svg('text', { class: 'tick', x: pad.l - 6, y: yy + 4, 'text-anchor': 'end' }, formatNumber(v)));
  }
  g.appendChild(svg('line', { class: 'axis', x1: pad.l, x2: W - pad.r, y1: H - pad.b, y2: H - pad.b }));
  // x labels: first, last and up to 3 between
  const labelIdx = new Set([0, points.length - 1]);
  const step = Math.ceil(points.length / 4);
  for (let i = step; i < points.length - 1; i += step) labelIdx.add(i);
  for (const i of labelIdx) {
    g.appendChild(svg('text', { class: 'tick', x: x(points[i].at), y: H - pad.b + 18, 'text-anchor': 'middle' }, formatDate(points[i].r.collected_at)));
  }
  g.appendChild(svg('polyline', { class: 'trend-line', points: points.map((p) => `${x(p.at)},${y(p.v)}`).join(' ') }));
  for (const p of points) {
    const flag = p.r.flag === 'H' || p.r.flag === 'L' ? p.r.flag : '';
    g.appendChild(svg('circle', { class: ['pt', flag && `pt-${flag.toLowerCase()}`, facilityClass(p.r.facility_oid)].filter(Boolean).join(' '), cx: x(p.at), cy: y(p.v), r: 5 },
      svg('title', {}, `${formatDateTime(p.r.collected_at)} ${p.r.value}${row.unit ? ` ${row.unit}` : ''} ${flag} ${p.r.facility_name || ''}`)));
  }
  return h('div', { class: 'trend' },
    h('h3', {}, title, row.unit ? h('span', { class: 'unit' }, ` (${row.unit})`) : null),
    h('div', { class: 'trend-meta' }, rangeText(row.range) ? `${t('lab.range')}: ${rangeText(row.range)}` : ''),
    g);
}

function formatNumber(v) {
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : v.toFixed(2);
}

export function render(panel, ctx) {
  const results = [];
  let selected = null;
  const chartSlot = h('div', { class: 'trend-slot', 'data-testid': 'trend-slot' }, h('p', { class: 'hint' }, t('lab.trend_hint')));
  return envelopeView(panel, `${ctx.base}/lab_results`, (items, body) => {
    results.push(...items);
    const grid = buildGrid(results);
    const thead = h('thead', {}, h('tr', {},
      h('th', { class: 'sticky-col', scope: 'col' }, t('lab.item')),
      h('th', { scope: 'col' }, t('lab.unit')),
      h('th', { scope: 'col' }, t('lab.range')),
      grid.columns.map((c) => h('th', { scope: 'col', class: ['lab-date', facilityClass(c.facility_oid)], title: c.facility_name || '' },
        h('span', { class: 'd' }, formatDate(c.at)), h('span', { class: 'fac-dot' }, c.facility_name || '')))));
    const tbody = h('tbody', {}, grid.rows.map((row) => h('tr', { class: row.key === selected ? 'selected' : null },
      h('th', { class: 'sticky-col', scope: 'row' },
        h('button', { type: 'button', class: 'link lab-item', 'data-key': row.key, onclick: () => {
          selected = row.key;
          for (const tr of tbody.querySelectorAll('tr.selected')) tr.classList.remove('selected');
          tbody.querySelector(`button[data-key="${CSS.escape(row.key)}"]`)?.closest('tr')?.classList.add('selected');
          replace(chartSlot, trendChart(row));
          chartSlot.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
        } }, row.item.name || row.item.code || '')),
      h('td', { class: 'unit' }, row.unit || ''),
      h('td', { class: 'range' }, rangeText(row.range)),
      grid.columns.map((c) => cell(row.cells.get(c.key))))));
    replace(body,
      h('div', { class: 'table-wrap lab-wrap' }, h('table', { class: 'data lab-table', 'data-testid': 'lab-table' }, thead, tbody)),
      chartSlot);
  }, envOptions(ctx, { pageSize: 200, normalize: norm.labResults }));
}
