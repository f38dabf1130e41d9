// Patient list: only persons the user's facility may see (the API filters by consent), most
// recent activity first, with search by name (kanji or kana), birth date, sex and local id.
// The search terms live in the URL hash so the back button returns to the same list.

import { h, replace } from '../dom.js';
import { t, formatDate, formatBirthDate } from '../i18n.js';
import { api, seg } from '../api.js';
import { field, formValues, pagedTable, sexLabel } from '../ui.js';

export function render(main, ctx) {
  const q = ctx.query;
  const form = h('form', { class: 'search-form', role: 'search', 'data-testid': 'patient-search' },
    field({ name: 'q', label: t('patients.q'), value: q.get('q') || '', type: 'search' }),
    field({ name: 'birth_date', label: t('patients.birth_date'), type: 'date', value: q.get('birth_date') || '' }),
    field({ name: 'sex', label: t('patients.sex'), type: 'select', value: q.get('sex') || '',
      options: [['', t('sex.any')], ['F', t('sex.F')], ['M', t('sex.M')], ['O', t('sex.O')], ['U', t('sex.U')]] }),
    field({ name: 'local_id', label: t('patients.local_id'), value: q.get('local_id') || '', inputmode: 'numeric' }),
    h('div', { class: 'search-buttons' },
      h('button', { type: 'submit', class: 'btn btn-primary' }, t('common.search')),
      h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => ctx.navigate('#/patients') }, t('common.clear'))));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const params = new URLSearchParams(formValues(form));
    const s = params.toString();
    ctx.navigate(s ? `#/patients?${s}` : '#/patients');
  });

  const filters = {
    q: q.get('q'), birth_date: q.get('birth_date'), sex: q.get('sex'), local_id: q.get('local_id'),
  };
  const columns = [
    { label: t('patients.name'), class: 'col-name', render: (p) => h('a', { href: `#/patients/${seg(p.person_id)}`, class: 'person-link' },
      h('span', { class: 'kanji' }, p.name_kanji || ''), h('span', { class: 'kana' }, p.name_kana || '')) },
    { label: t('patients.sex'), class: 'col-sex', render: (p) => sexLabel(p.sex) },
    { label: t('patients.birth_date'), render: (p) => formatBirthDate(p.birth_date) },
    { label: t('patients.ids'), render: (p) => h('ul', { class: 'ids' }, (p.identifiers || []).map((i) =>
      h('li', {}, h('span', { class: 'id-fac' }, i.facility_name || i.facility_oid), ' ', h('span', { class: 'id-local' }, i.local_id)))) },
    { label: t('patients.last_activity'), render: (p) => formatDate(p.last_activity) },
  ];
  const list = pagedTable(columns,
    (cursor) => api.get('/api/v1/persons', { ...filters, cursor, page_size: 50 }),
    { class: 'patients', empty: t('patients.empty'), rowClass: () => 'clickable' });
  list.addEventListener('click', (ev) => {
    const tr = ev.target.closest('tr.clickable');
    if (!tr || ev.target.closest('a')) return;
    tr.querySelector('a.person-link')?.click();
  });
  replace(main, h('div', { class: 'page patients-page' },
    h('h1', {}, t('patients.title')),
    h('p', { class: 'lead' }, t('patients.lead')),
    form, list));
}
