// 画像: the person's imaging studies; per study its series (QIDO-RS through the portal);
// a viewer that pages through a series (wheel, swipe, slider, buttons) and changes window
// level/width by dragging. Images are rendered by the gateway (WADO-URI JPEG), so the
// tablet only ever decodes JPEGs.

import { h, replace } from '../dom.js';
import { t, formatDateTime } from '../i18n.js';
import { api, seg, buildQuery } from '../api.js';
import { errorBox, loading, facilityTag, facilityClass, table, appendRows } from '../ui.js';
import { envelopeView, envOptions } from './tabs.js';
import * as norm from '../normalize.js';

const tag = (obj, k) => obj?.[k]?.Value?.[0];

// The person and the facility are part of every imaging URL: the portal checks consent for
// them before it asks that facility's gateway (a study UID alone opens nothing).
function imagingBase(base, study) {
  return `${base}/imaging/${seg(study.facility_oid)}`;
}

export function wadoUrl({ base, study, series, instance, wc, ww, frame }) {
  return `${imagingBase(base, study)}/wado${buildQuery({
    requestType: 'WADO', studyUID: study.study_uid, seriesUID: series, objectUID: instance, contentType: 'image/jpeg',
    windowCenter: wc === undefined ? undefined : Math.round(wc), windowWidth: ww === undefined ? undefined : Math.round(ww),
    frameNumber: frame,
  })}`;
}

function dicomwebBase(base, study) {
  return `${imagingBase(base, study)}/dicomweb/studies/${seg(study.study_uid)}`;
}

export function render(panel, ctx) {
  const viewerSlot = h('div', { class: 'viewer-slot' });
  let tbody = null;
  const columns = [
    { label: t('img.performed_at'), render: (s) => formatDateTime(s.performed_at) },
    { label: t('img.modality'), render: (s) => s.modality || '' },
    { label: t('img.description'), render: (s) => s.description || '' },
    { label: t('common.facility'), render: facilityTag },
    { label: '', render: (s) => (s.study_uid ? h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => openStudy(viewerSlot, ctx.base, s) }, t('img.open')) : '') },
  ];
  // A gateway lists both the radiology result (OMG-11) and the DICOM study it names: one
  // row per study, the result's (it says what was done), the study's when there is none.
  const shown = new Set();
  return envelopeView(panel, `${ctx.base}/imaging`, (all, body, first) => {
    const items = all.filter((s) => {
      const key = s.study_uid ? `${s.facility_oid}|${s.study_uid}` : null;
      if (key && s.kind === 'study' && shown.has(key)) return false;
      if (key) shown.add(key);
      return true;
    });
    if (first) {
      const wrap = table(columns, [], { class: 'studies' });
      tbody = wrap.querySelector('tbody');
      replace(body, wrap, viewerSlot);
    }
    appendRows(tbody, columns, items, { rowClass: (r) => facilityClass(r.facility_oid) });
  }, envOptions(ctx, { normalize: norm.study }));
}

async function openStudy(slot, base, study) {
  replace(slot, loading());
  try {
    const series = await api.get(`${dicomwebBase(base, study)}/series`, undefined, { accept: 'application/dicom+json' });
    const list = (series || []).map((s) => ({
      uid: tag(s, '0020000E'), number: tag(s, '00200011'), modality: tag(s, '00080060'),
      description: tag(s, '0008103E') || '', count: tag(s, '00201209'),
    })).filter((s) => s.uid).sort((a, b) => (a.number ?? 0) - (b.number ?? 0));
    if (list.length === 0) {
      replace(slot, h('p', { class: 'empty' }, t('img.no_series')));
      return;
    }
    const viewer = h('div', { class: 'viewer-host' });
    const seriesList = h('ul', { class: 'series-list' }, list.map((s) => h('li', {},
      h('button', { type: 'button', class: 'series-btn', onclick: (ev) => {
        for (const b of seriesList.querySelectorAll('.series-btn')) b.classList.remove('active');
        ev.currentTarget.classList.add('active');
        openSeries(viewer, base, study, s);
      } },
      h('span', { class: 'series-mod' }, s.modality || ''),
      h('span', { class: 'series-desc' }, s.description || `#${s.number ?? ''}`),
      s.count ? h('span', { class: 'series-count' }, t('img.instances', { n: s.count })) : null))));
    replace(slot, h('section', { class: 'study-view' },
      h('h3', {}, `${formatDateTime(study.performed_at)} ${study.modality || ''} ${study.description || ''}`),
      h('div', { class: 'study-layout' }, h('div', { class: 'series-pane' }, h('h4', {}, t('img.series')), seriesList), viewer)));
    seriesList.querySelector('.series-btn')?.click();
  } catch (e) {
    replace(slot, errorBox(e));
  }
}

async function openSeries(host, base, study, series) {
  replace(host, loading());
  let instances;
  try {
    const raw = await api.get(`${dicomwebBase(base, study)}/series/${seg(series.uid)}/instances`, undefined, { accept: 'application/dicom+json' });
    instances = (raw || []).map((i) => ({ uid: tag(i, '00080018'), number: tag(i, '00200013') ?? 0 }))
      .filter((i) => i.uid).sort((a, b) => a.number - b.number);
  } catch (e) {
    replace(host, errorBox(e));
    return;
  }
  if (instances.length === 0) {
    replace(host, h('p', { class: 'empty' }, t('img.no_series')));
    return;
  }
  // Default window from the first instance's metadata; the gateway's own default otherwise.
  let baseWindow = null;
  try {
    const meta = await api.get(`${dicomwebBase(base, study)}/series/${seg(series.uid)}/instances/${seg(instances[0].uid)}/metadata`,
      undefined, { accept: 'application/dicom+json' });
    const m = Array.isArray(meta) ? meta[0] : meta;
    const wc = Number(tag(m, '00281050'));
    const ww = Number(tag(m, '00281051'));
    if (Number.isFinite(wc) && Number.isFinite(ww) && ww > 0) baseWindow = { wc, ww };
  } catch {
    // no metadata: render with the gateway's default window
  }
  replace(host, viewerView(base, study, series, instances, baseWindow));
}

export function viewerView(base, study, series, instances, baseWindow) {
  // Touch screens page through the series by swiping; a mouse drags window/level (its wheel
  // pages). The toolbar switches the drag between the two.
  const coarse = globalThis.matchMedia?.('(pointer: coarse)').matches;
  const state = { index: 0, wc: baseWindow?.wc, ww: baseWindow?.ww, mode: coarse ? 'scroll' : 'wl' };
  const img = h('img', { class: 'viewer-img', alt: `${series.description || ''}`, draggable: 'false', 'data-testid': 'viewer-image' });
  const info = h('div', { class: 'viewer-info' });
  const slider = h('input', { type: 'range', min: 1, max: instances.length, value: 1, class: 'viewer-slider', 'aria-label': t('img.series') });
  const viewport = h('div', { class: 'viewer-viewport', 'data-testid': 'viewer' }, img, info);
  let loadingUrl = null;
  let wantedUrl = null;

  function url(i = state.index) {
    return wadoUrl({ base, study, series: series.uid, instance: instances[i].uid, wc: state.wc, ww: state.ww });
  }
  function show() {
    wantedUrl = url();
    slider.value = String(state.index + 1);
    replace(info,
      h('span', {}, t('img.frame', { i: state.index + 1, n: instances.length })),
      state.ww !== undefined ? h('span', {}, t('img.wl', { c: Math.round(state.wc), w: Math.round(state.ww) })) : null);
    if (loadingUrl) return;  // the load in flight will pick up wantedUrl when done
    loadNext();
  }
  function loadNext() {
    if (img.getAttribute('src') === wantedUrl) return;
    loadingUrl = wantedUrl;
    const pre = new Image();
    pre.onload = pre.onerror = () => {
      if (pre.complete && pre.naturalWidth > 0) img.src = pre.src;
      loadingUrl = null;
      if (wantedUrl && new URL(wantedUrl, location.href).href !== pre.src) loadNext();
      prefetch();
    };
    pre.src = loadingUrl;
  }
  function prefetch() {
    for (const d of [1, -1, 2]) {
      const i = state.index + d;
      if (i >= 0 && i < instances.length) new Image().src = url(i);
    }
  }
  function go(delta) {
    const i = Math.max(0, Math.min(instances.length - 1, state.index + delta));
    if (i !== state.index) {
      state.index = i;
      show();
    }
  }

  viewport.addEventListener('wheel', (ev) => {
    ev.preventDefault();
    go(ev.deltaY > 0 ? 1 : -1);
  }, { passive: false });
  let drag = null;
  viewport.addEventListener('pointerdown', (ev) => {
    viewport.setPointerCapture(ev.pointerId);
    drag = { x: ev.clientX, y: ev.clientY, wc: state.wc ?? 40, ww: state.ww ?? 400, index: state.index, mode: state.mode };
  });
  viewport.addEventListener('pointermove', (ev) => {
    if (!drag) return;
    const dx = ev.clientX - drag.x;
    const dy = ev.clientY - drag.y;
    if (drag.mode === 'scroll') {
      const i = Math.max(0, Math.min(instances.length - 1, drag.index + Math.round(dy / 12)));
      if (i !== state.index) {
        state.index = i;
        show();
      }
    } else {
      const scale = Math.max(1, drag.ww / 256);
      state.ww = Math.max(1, drag.ww + dx * scale);
      state.wc = drag.wc + dy * scale;
      show();
    }
  });
  const end = () => { drag = null; };
  viewport.addEventListener('pointerup', end);
  viewport.addEventListener('pointercancel', end);
  viewport.addEventListener('keydown', (ev) => {
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowRight') go(1);
    else if (ev.key === 'ArrowUp' || ev.key === 'ArrowLeft') go(-1);
    else return;
    ev.preventDefault();
  });
  viewport.tabIndex = 0;
  slider.addEventListener('input', () => {
    state.index = Number(slider.value) - 1;
    show();
  });
  const modeWl = h('button', { type: 'button', class: 'btn btn-secondary active', 'aria-pressed': 'true' }, t('img.mode_wl'));
  const modeScroll = h('button', { type: 'button', class: 'btn btn-secondary', 'aria-pressed': 'false' }, t('img.mode_scroll'));
  function setMode(m) {
    state.mode = m;
    modeWl.classList.toggle('active', m === 'wl');
    modeScroll.classList.toggle('active', m === 'scroll');
    modeWl.setAttribute('aria-pressed', String(m === 'wl'));
    modeScroll.setAttribute('aria-pressed', String(m === 'scroll'));
  }
  modeWl.addEventListener('click', () => setMode('wl'));
  modeScroll.addEventListener('click', () => setMode('scroll'));
  setMode(state.mode);
  const toolbar = h('div', { class: 'viewer-toolbar' },
    h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => go(-1) }, t('img.prev')),
    slider,
    h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => go(1) }, t('img.next')),
    modeWl, modeScroll,
    h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => {
      state.wc = baseWindow?.wc;
      state.ww = baseWindow?.ww;
      show();
    } }, t('img.reset')));
  show();
  return h('div', { class: 'viewer' }, h('div', { class: 'viewer-title' }, t('img.viewer'), h('span', { class: 'hint' }, t('img.hint'))), viewport, toolbar);
}
