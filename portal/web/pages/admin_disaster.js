// Secretariat console, disaster declarations (issue #20, docs/operations.md "Disaster
// declaration"): while one is in force, the facility's records are served read-only from its
// standby gateway, labelled as a preserved copy. Declare (facility, reason, until, the
// standby's address and certificate pin, the preserved copy's time), list, end early.

import { h, replace } from '../dom.js';
import { t, formatDateTime } from '../i18n.js';
import { api, seg } from '../api.js';
import { errorBox, loading, notice, field, formValues, table } from '../ui.js';

const A = '/api/v1/admin/disaster-declarations';

// A datetime-local value (Japan time, as the console shows times) as ISO 8601 with +09:00.
function jst(v) {
  return v && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(v) ? `${v}:00+09:00` : v;
}

export async function disasterDeclarations(panel) {
  const listSlot = h('div', { 'data-testid': 'disaster-declarations' });
  const status = h('div', {});
  async function load() {
    replace(listSlot, loading());
    try {
      const items = (await api.get(A))?.items || [];
      if (!items.length) {
        replace(listSlot, h('p', { class: 'empty' }, t('disaster.none')));
        return;
      }
      replace(listSlot, table([
        { label: t('common.facility'), render: (d) => d.facility_name || d.facility_oid },
        { label: t('disaster.state'), render: (d) => h('span', { class: d.in_force ? 'badge badge-error' : 'badge' },
          t(d.in_force ? 'disaster.in_force' : d.ended_at ? 'disaster.ended' : 'disaster.expired')) },
        { label: t('disaster.reason'), render: (d) => d.reason },
        { label: t('disaster.period'), render: (d) => `${formatDateTime(d.starts_at)} – ${formatDateTime(d.ended_at || d.until)}` },
        { label: t('disaster.preserved_as_of'), render: (d) => formatDateTime(d.preserved_as_of) },
        { label: t('disaster.standby_url'), render: (d) => h('code', {}, d.standby_url) },
        { label: t('disaster.declared_by'), render: (d) => d.declared_by + (d.ended_by ? ` / ${d.ended_by}` : '') },
        { label: '', class: 'actions', render: (d) => (!d.in_force ? null : h('button', {
          type: 'button', class: 'btn btn-ghost', 'data-testid': `disaster-end-${d.id}`,
          onclick: async () => {
            if (!window.confirm(t('disaster.confirm_end', { name: d.facility_name || d.facility_oid }))) return;
            replace(status);
            try {
              await api.post(`${A}/${seg(String(d.id))}/end`);
              await load();
            } catch (e) {
              replace(status, errorBox(e));
            }
          },
        }, t('disaster.end'))) },
      ], items));
    } catch (e) {
      replace(listSlot, errorBox(e));
    }
  }
  const formStatus = h('div', {});
  const form = h('form', { class: 'admin-form grid-form', 'data-testid': 'disaster-form' },
    field({ name: 'facility_oid', label: t('disaster.facility_oid'), required: true, placeholder: '1.2.392.200284.33.1310001' }),
    field({ name: 'reason', label: t('disaster.reason'), type: 'textarea', required: true }),
    field({ name: 'until', label: t('disaster.until'), type: 'datetime-local', required: true }),
    field({ name: 'standby_url', label: t('disaster.standby_url'), required: true, placeholder: 'https://standby.example.jp:8443' }),
    field({ name: 'standby_cert_sha256', label: t('disaster.standby_cert_sha256'), required: true }),
    field({ name: 'preserved_as_of', label: t('disaster.preserved_as_of'), type: 'datetime-local', required: true }),
    h('div', { class: 'form-buttons' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('disaster.declare'))),
    formStatus);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    replace(formStatus);
    const v = formValues(form);
    if (!window.confirm(t('disaster.confirm_declare'))) return;
    try {
      await api.post(A, { ...v, until: jst(v.until), preserved_as_of: jst(v.preserved_as_of) });
      form.reset();
      replace(formStatus, notice(t('common.saved'), 'success'));
      await load();
    } catch (e) {
      replace(formStatus, errorBox(e));
    }
  });
  replace(panel, h('p', { class: 'hint' }, t('disaster.intro')), status, listSlot,
    h('h2', {}, t('disaster.declare_heading')), form);
  await load();
}
