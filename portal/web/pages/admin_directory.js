// Secretariat console, directory distribution: the connected systems that receive the
// directory as IHE HPD feeds (ITI-59) with their delivery state, and the bulk import of
// facilities and users from CSV (dry run first, then apply, all or nothing).

import { h, replace } from '../dom.js';
import { t, formatDateTime } from '../i18n.js';
import { api, request, seg } from '../api.js';
import { errorBox, loading, notice, field, formValues, table, pagedTable } from '../ui.js';

const A = '/api/v1/admin';

// ---- connected systems -------------------------------------------------------------------

function deliveryState(s) {
  if (!s.enabled) return h('span', { class: 'badge' }, t('feed.state_disabled'));
  if (s.pending === 0) return h('span', { class: 'badge badge-ok' }, t('feed.state_ok'));
  if (s.failures > 0) return h('span', { class: 'badge badge-error' }, t('feed.state_retrying', { n: s.failures }));
  return h('span', { class: 'badge' }, t('feed.state_sending'));
}

// The changes a system refused for good, newest first, each to re-queue or dismiss.
function rejectedView(s, act, close) {
  const columns = [
    { label: t('feed.rejected_at'), render: (c) => formatDateTime(c.rejected_at) },
    { label: t('feed.entity'), render: (c) => t(`feed.entity_${c.entity}`) },
    { label: t('feed.key'), render: (c) => h('code', {}, c.key) },
    { label: t('feed.op'), render: (c) => t(`feed.op_${c.op}`) },
    { label: t('feed.result'), render: (c) => h('span', { class: 'error-text' }, `resultCode ${c.result_code}${c.message ? ' ' + c.message : ''}`) },
    { label: '', class: 'actions', render: (c) => h('span', {},
      h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => act(() => api.post(`${A}/connected-systems/${seg(s.id)}/rejected/${seg(c.id)}/requeue`)) }, t('feed.requeue')),
      h('button', { type: 'button', class: 'btn btn-ghost', onclick: () => {
        if (window.confirm(t('feed.confirm_dismiss', { key: c.key, name: s.name }))) act(() => api.del(`${A}/connected-systems/${seg(s.id)}/rejected/${seg(c.id)}`));
      } }, t('feed.dismiss'))) },
  ];
  const list = pagedTable(columns, (cursor) => api.get(`${A}/connected-systems/${seg(s.id)}/rejected`, { page_size: 50, ...(cursor ? { cursor } : {}) }),
    { empty: t('feed.rejected_none') });
  return h('section', { class: 'feed-rejected', 'data-testid': 'feed-rejected' },
    h('h2', {}, t('feed.rejected_heading', { name: s.name })),
    h('p', { class: 'hint' }, t('feed.rejected_intro')),
    list,
    h('div', { class: 'form-buttons' }, h('button', { type: 'button', class: 'btn btn-secondary', onclick: close }, t('feed.close'))));
}

export async function connectedSystems(panel) {
  const listSlot = h('div', { 'data-testid': 'feed-systems' });
  const rejectedSlot = h('div', {});
  const status = h('div', {});
  let shown = null;  // the system whose refused changes are open
  function showRejected(s) {
    shown = s;
    replace(rejectedSlot, rejectedView(s, act, () => {
      shown = null;
      replace(rejectedSlot);
    }));
  }
  async function load() {
    replace(listSlot, loading());
    try {
      const r = await api.get(`${A}/connected-systems`);
      const items = r?.items || [];
      if (!items.length) {
        replace(listSlot, h('p', { class: 'empty' }, t('feed.none')));
        return;
      }
      if (shown) {
        const again = items.find((x) => x.id === shown.id);
        if (again) showRejected(again);
        else replace(rejectedSlot);
      }
      replace(listSlot, table([
        { label: t('feed.name'), render: (s) => s.name },
        { label: t('feed.url'), render: (s) => h('code', {}, s.url) },
        { label: t('feed.state'), render: deliveryState },
        { label: t('feed.pending'), class: 'num', render: (s) => String(s.pending) },
        { label: t('feed.oldest_pending'), render: (s) => (s.oldest_pending ? formatDateTime(s.oldest_pending) : '—') },
        { label: t('feed.last_success'), render: (s) => (s.last_success ? formatDateTime(s.last_success) : '—') },
        { label: t('feed.last_error'), render: (s) => (s.last_error ? h('span', { class: 'error-text', title: s.last_error_at || '' }, `${s.last_error_at ? formatDateTime(s.last_error_at) + ' ' : ''}${s.last_error}`) : '—') },
        { label: t('feed.rejected'), class: 'num', render: (s) => ((s.rejected || 0) > 0
          ? h('button', { type: 'button', class: 'btn btn-secondary', 'data-testid': 'feed-rejected-count', 'aria-label': t('feed.rejected_heading', { name: s.name }), title: s.newest_rejected ? formatDateTime(s.newest_rejected) : '', onclick: () => showRejected(s) },
            t('feed.rejected_count', { n: s.rejected }))
          : '0') },
        { label: '', class: 'actions', render: (s) => h('span', {},
          h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => act(() => api.put(`${A}/connected-systems/${seg(s.id)}`, { enabled: !s.enabled })) },
            s.enabled ? t('feed.disable') : t('feed.enable')),
          s.pending > 0 ? h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => act(() => api.post(`${A}/connected-systems/${seg(s.id)}/retry`)) }, t('feed.retry')) : null,
          h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => {
            if (window.confirm(t('feed.confirm_resync', { name: s.name }))) act(() => api.post(`${A}/connected-systems/${seg(s.id)}/resync`));
          } }, t('feed.resync')),
          h('button', { type: 'button', class: 'btn btn-ghost', onclick: () => {
            if (window.confirm(t('feed.confirm_delete', { name: s.name, n: s.pending }))) act(() => api.del(`${A}/connected-systems/${seg(s.id)}`));
          } }, t('feed.delete'))) },
      ], items));
    } catch (e) {
      replace(listSlot, errorBox(e));
    }
  }
  async function act(fn) {
    replace(status);
    try {
      await fn();
      await load();
    } catch (e) {
      replace(status, errorBox(e));
    }
  }
  const formStatus = h('div', {});
  const form = h('form', { class: 'admin-form grid-form', 'data-testid': 'feed-form' },
    field({ name: 'name', label: t('feed.name'), required: true }),
    field({ name: 'url', label: t('feed.url'), type: 'url', required: true, placeholder: 'https://hpd.example.jp/hpd' }),
    h('div', { class: 'form-buttons' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('feed.add'))),
    formStatus);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    replace(formStatus);
    try {
      await api.post(`${A}/connected-systems`, formValues(form));
      form.reset();
      replace(formStatus, notice(t('common.saved'), 'success'));
      await load();
    } catch (e) {
      replace(formStatus, errorBox(e));
    }
  });
  const refresh = h('button', { type: 'button', class: 'btn btn-secondary', onclick: load }, t('feed.refresh'));
  replace(panel, h('p', { class: 'hint' }, t('feed.intro')), h('div', { class: 'toolbar' }, refresh), status, listSlot,
    rejectedSlot, h('h2', {}, t('feed.add_heading')), form);
  await load();
}

// ---- bulk import -------------------------------------------------------------------------

function reportView(r) {
  const s = r.summary || {};
  const head = h('p', { class: 'import-summary', 'data-testid': 'import-summary' },
    t('import.summary', { create: s.create ?? 0, update: s.update ?? 0, unchanged: s.unchanged ?? 0, errors: s.errors ?? 0 }),
    r.encoding ? ` (${r.encoding})` : '');
  const errors = (r.errors || []).length
    ? table([
      { label: t('import.row'), class: 'num', render: (e) => String(e.row) },
      { label: t('import.column'), render: (e) => e.column || '—' },
      { label: t('import.reason'), render: (e) => e.reason },
    ], r.errors, { class: 'import-errors' })
    : null;
  const rows = table([
    { label: t('import.row'), class: 'num', render: (x) => String(x.row) },
    { label: t('import.key'), render: (x) => x.key || '—' },
    { label: t('import.action'), render: (x) => h('span', { class: `import-${x.action}` }, t(`import.action_${x.action}`)) },
    { label: t('import.changed'), render: (x) => (x.changed || []).join(', ') },
  ], r.rows || [], { class: 'import-rows' });
  return h('div', {}, head, errors ? h('h3', {}, t('import.errors')) : null, errors, h('h3', {}, t('import.rows')), rows);
}

export async function importPage(panel) {
  const out = h('div', { 'data-testid': 'import-result' });
  const form = h('form', { class: 'admin-form', 'data-testid': 'import-form' },
    field({ name: 'what', label: t('import.what'), type: 'select', value: 'facilities',
      options: [['facilities', t('import.facilities')], ['users', t('import.users')]] }),
    h('div', { class: 'field' }, h('label', { for: 'import-file' }, t('import.file')),
      h('input', { id: 'import-file', name: 'file', type: 'file', accept: '.csv,text/csv', required: true }),
      h('div', { class: 'hint' }, t('import.file_hint'))),
    h('div', { class: 'form-buttons' },
      h('button', { type: 'submit', class: 'btn btn-primary', 'data-mode': 'dry_run' }, t('import.dry_run'))));
  let lastFile = null;
  async function run(mode) {
    const file = form.elements.file.files[0];
    if (!file) return;
    const what = form.elements.what.value;
    replace(out, loading());
    try {
      const bytes = await file.arrayBuffer();  // as saved: UTF-8 or Shift_JIS, the server decodes
      const r = await request('POST', `${A}/import/${seg(what)}`, { query: { mode }, rawBody: bytes, contentType: 'text/csv' });
      lastFile = file;
      const applyBtn = mode === 'dry_run' && !(r.errors || []).length && ((r.summary?.create || 0) + (r.summary?.update || 0)) > 0
        ? h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'import-apply', onclick: () => run('apply') }, t('import.apply'))
        : null;
      replace(out,
        mode === 'apply' ? notice(t('import.applied'), 'success') : notice(t('import.dry_run_done'), 'info'),
        reportView(r), applyBtn ? h('div', { class: 'form-buttons' }, applyBtn) : null);
    } catch (e) {
      replace(out, errorBox(e), e.body?.rows ? reportView(e.body) : null);
    }
  }
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    run('dry_run');
  });
  form.elements.file.addEventListener('change', () => {
    if (lastFile) replace(out);
    lastFile = null;
  });
  replace(panel, h('p', { class: 'hint' }, t('import.intro')), form, out);
}
