// The facility's disclosed records (公開中のデータ, issue #17's tenant page), for its data
// manager: the patients the facility's gateway holds (GET /api/v1/uploads/patients), one
// patient's shown records (GET /api/v1/uploads/patients/{id}), and a record's withdrawal with a
// reason (POST /api/v1/uploads/withdraw): an SS-MIX2 record, an お薬手帳 file, a FHIR upload or a
// web-form document. Nothing is deleted: the gateway keeps the file and
// hides it (an SS-MIX2 deletion file); a correction is a withdrawal and a new upload.

import { h, replace } from '../dom.js';
import { formatDate, t } from '../i18n.js';
import { api, seg } from '../api.js';
import { errorBox, notice, pagedTable, table } from '../ui.js';

function nameOf(p) {
  const k = p?.name_kanji || {};
  const text = [k.family, k.given].filter(Boolean).join(' ');
  return text || '—';
}

// The withdraw button of one record: asks for the reason in place, then sends.
function withdrawControl(patientId, target, onDone) {
  const cell = h('div', { class: 'withdraw' });
  const start = h('button', { type: 'button', class: 'btn btn-secondary', 'data-testid': 'withdraw' }, t('disclosed.withdraw'));
  start.addEventListener('click', () => {
    const reason = h('input', { type: 'text', maxlength: '200', required: true, 'data-testid': 'withdraw-reason', 'aria-label': t('disclosed.reason'), placeholder: t('disclosed.reason') });
    const confirm = h('button', { type: 'submit', class: 'btn btn-danger', 'data-testid': 'withdraw-confirm' }, t('disclosed.confirm'));
    const form = h('form', { class: 'withdraw-form' }, reason, confirm);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (!reason.value.trim()) return;
      confirm.disabled = true;
      try {
        await api.post('/api/v1/uploads/withdraw', { patient_id: patientId, ...target, reason: reason.value.trim() });
        replace(cell, h('span', { class: 'upload-withdrawn', 'data-testid': 'withdrawn' }, t('disclosed.withdrawn')));
        onDone?.();
      } catch (e) {
        replace(cell, errorBox(e));
      }
    });
    replace(cell, form);
    reason.focus();
  });
  cell.appendChild(start);
  return cell;
}

async function showPatient(out, id) {
  replace(out, h('p', { class: 'hint' }, t('common.loading')));
  let p;
  try {
    p = await api.get(`/api/v1/uploads/patients/${seg(id)}`);
  } catch (e) {
    replace(out, errorBox(e));
    return;
  }
  const records = table([
    { label: t('disclosed.data_type'), render: (r) => h('span', { title: r.data_type }, t(`disclosed.type_${r.data_type}`) === `disclosed.type_${r.data_type}` ? r.data_type : t(`disclosed.type_${r.data_type}`)) },
    { label: t('disclosed.date'), render: (r) => (r.date ? formatDate(r.date) : '—') },
    { label: t('disclosed.order_no'), render: (r) => (r.order_no && r.order_no !== '-' ? r.order_no : '') },
    { label: t('disclosed.file'), class: 'path', render: (r) => h('code', {}, r.path.split('/').pop()) },
    { label: '', render: (r) => (r.data_type === 'ADT-00' ? h('span', { class: 'hint' }, t('disclosed.registration')) : withdrawControl(id, { path: r.path })) },
  ], p.records || [], { class: 'disclosed-records' });
  const files = (p.dispensing_files || []).length ? table([
    { label: t('disclosed.dispensed_on'), render: (f) => (f.date ? formatDate(f.date) : '—') },
    { label: t('disclosed.file'), class: 'path', render: (f) => h('code', {}, f.file) },
    { label: '', render: (f) => withdrawControl(id, { file: f.file }) },
  ], p.dispensing_files, { class: 'disclosed-dispensings' }) : null;
  const fhir = (p.fhir_files || []).length ? table([
    { label: t('disclosed.received_on'), render: (f) => (f.date ? formatDate(f.date) : '—') },
    { label: t('disclosed.file'), class: 'path', render: (f) => h('code', {}, f.file) },
    { label: '', render: (f) => withdrawControl(id, { fhir: f.file }) },
  ], p.fhir_files, { class: 'disclosed-fhir' }) : null;
  const documents = (p.documents || []).length ? table([
    { label: t('disclosed.date'), render: (d) => (d.date ? formatDate(d.date) : '—') },
    { label: t('disclosed.doc_title'), render: (d) => d.title },
    { label: '', render: (d) => withdrawControl(id, { document: d.document_id }) },
  ], p.documents, { class: 'disclosed-documents' }) : null;
  replace(out,
    h('h2', { 'data-testid': 'disclosed-patient' }, `${nameOf(p)}（${p.patient_id}）`),
    h('h3', {}, t('disclosed.records', { n: (p.records || []).length })),
    records,
    files ? h('h3', {}, t('disclosed.dispensings')) : null,
    files,
    documents ? h('h3', {}, t('disclosed.documents')) : null,
    documents,
    fhir ? h('h3', {}, t('disclosed.fhir_files')) : null,
    fhir);
}

export function render(main) {
  const detail = h('div', { class: 'disclosed-detail', 'data-testid': 'disclosed-detail' });
  const list = pagedTable([
    { label: t('disclosed.patient_id'), render: (p) => p.patient_id },
    { label: t('disclosed.name'), render: (p) => nameOf(p) },
    { label: t('disclosed.birth_date'), render: (p) => (p.birth_date ? formatDate(p.birth_date) : '—') },
    { label: t('disclosed.count'), render: (p) => String((p.records || 0) + (p.dispensing_files || 0) + (p.fhir_files || 0) + (p.documents || 0)) },
    { label: '', render: (p) => h('button', { type: 'button', class: 'btn btn-secondary', 'data-testid': `disclosed-open-${p.patient_id}`, onclick: () => showPatient(detail, p.patient_id) }, t('disclosed.open')) },
  ], async (cursor) => {
    const page = await api.get('/api/v1/uploads/patients', cursor ? { after: cursor } : {});
    return { items: page.items, next_cursor: page.next_after };
  }, { class: 'disclosed-patients', empty: t('disclosed.none') });
  replace(main, h('div', { class: 'page disclosed-page', 'data-testid': 'disclosed-page' },
    h('h1', {}, t('disclosed.title')),
    notice(t('disclosed.intro'), 'info'),
    list,
    detail));
}
