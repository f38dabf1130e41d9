// SMART launch/patient (docs/fhir.md): an app asked for a patient context, so the user picks
// the patient the app may read (patient/... scopes reach that one only). The list is the
// user's own patient list (consent and role policy as everywhere); choosing one posts the
// app's authorization request back with the person (POST /fhir/auth/launch) and the browser
// goes on to the app with its code.

import { h, replace } from '../dom.js';
import { t, formatBirthDate } from '../i18n.js';
import { api } from '../api.js';
import { errorBox, field, formValues, pagedTable, sexLabel } from '../ui.js';

export function render(main, ctx) {
  const request = ctx.query.get('request') || '';
  const asked = new URLSearchParams(request);
  const status = h('div', { 'aria-live': 'polite' });
  const choose = async (p) => {
    replace(status);
    try {
      const r = await api.post('/fhir/auth/launch', { request, patient: String(p.person_id) });
      location.assign(r.redirect);
    } catch (e) {
      replace(status, errorBox(e));
    }
  };
  const filters = { q: ctx.query.get('q') || '' };
  const columns = [
    { label: t('patients.name'), class: 'col-name', render: (p) => h('span', {},
      h('span', { class: 'kanji' }, p.name_kanji || ''), h('span', { class: 'kana' }, p.name_kana || '')) },
    { label: t('patients.sex'), class: 'col-sex', render: (p) => sexLabel(p.sex) },
    { label: t('patients.birth_date'), render: (p) => formatBirthDate(p.birth_date) },
    { label: '', class: 'actions', render: (p) => h('button', {
      type: 'button', class: 'btn btn-primary', 'data-testid': `fhir-launch-pick-${p.person_id}`,
      onclick: () => choose(p),
    }, t('fhir_launch.pick')) },
  ];
  const form = h('form', { class: 'search-form', role: 'search', 'data-testid': 'fhir-launch-search' },
    field({ name: 'q', label: t('patients.q'), value: filters.q, type: 'search' }),
    h('div', { class: 'search-buttons' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('common.search'))));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = formValues(form).q || '';
    ctx.navigate(`#/fhir-launch?${new URLSearchParams({ request, ...(q ? { q } : {}) })}`);
  });
  const list = pagedTable(columns,
    (cursor) => api.get('/api/v1/persons', { ...filters, cursor, page_size: 50 }),
    { class: 'patients', empty: t('patients.empty') });
  replace(main, h('div', { class: 'page fhir-launch-page', 'data-testid': 'fhir-launch' },
    h('h1', {}, t('fhir_launch.title')),
    h('p', { class: 'lead' }, t('fhir_launch.lead', { client: asked.get('client_id') || '' })),
    h('p', { class: 'hint' }, t('fhir_launch.scopes'), ' ', h('code', {}, asked.get('scope') || '')),
    status, form, list,
    h('p', {}, h('button', {
      type: 'button', class: 'btn btn-ghost', 'data-testid': 'fhir-launch-cancel',
      onclick: () => ctx.navigate('#/patients'),
    }, t('fhir_launch.cancel')))));
}
