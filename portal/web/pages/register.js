// The web form of a facility without an EMR (介護施設・訪問看護ステーション, issue #17), for its data
// manager: register a patient with the patient's consent (POST /api/v1/uploads/patients; the
// consent form's reference and date are required), and attach a PDF or image with a title,
// category and date (POST /api/v1/uploads/documents, with a progress bar). Each answer is the
// gateway's report: stored, unchanged, or refused with the reason (nothing kept).

import { h, replace } from '../dom.js';
import { t } from '../i18n.js';
import { api, upload } from '../api.js';
import { errorBox, notice } from '../ui.js';

const MAX_BYTES = 32 * 1024 * 1024;
const CATEGORIES = ['referral', 'nursing_summary', 'care_record', 'test_result', 'image', 'other'];
const TYPES = { pdf: 'application/pdf', jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png' };

function today() {
  // Japan's date (the consent and the documents are dated as the facility sees them).
  return new Date(Date.now() + 9 * 3600 * 1000).toISOString().slice(0, 10);
}

function field(id, label, input, hint) {
  return h('div', { class: 'field' }, h('label', { for: id }, label), input,
    hint ? h('div', { class: 'hint' }, hint) : null);
}

function input(id, name, attrs = {}) {
  return h('input', { id, name, autocomplete: 'off', ...attrs });
}

// The gateway's report of one action: its status, the reason when refused, the receipt number.
function reportView(r, testid) {
  const file = Array.isArray(r?.files) ? r.files[0] : null;
  const status = file?.status || (r?.accepted ? 'stored' : 'rejected');
  return h('div', { class: 'form-report', 'data-testid': testid },
    h('p', {}, h('span', { class: `upload-${status}`, 'data-testid': `${testid}-status`, 'data-status': status },
      t(`register.status_${status}`))),
    file?.reason ? h('p', { class: 'upload-error', 'data-testid': `${testid}-reason` }, file.reason) : null,
    r?.consent ? h('p', { 'data-testid': 'register-consent' }, t('register.consent_recorded', { id: r.consent.id })) : null,
    r?.document_id ? h('p', { class: 'hint' }, t('register.document_id', { id: r.document_id })) : null,
    r?.upload_id ? h('p', { class: 'hint' }, t('upload.id', { id: r.upload_id })) : null);
}

function failure(e, testid) {
  // A refusal by the gateway carries its report; anything else is an error box.
  return Array.isArray(e.body?.files) ? reportView(e.body, testid) : errorBox(e);
}

function patientForm(onRegistered) {
  const out = h('div', { 'data-testid': 'register-result', 'aria-live': 'polite' });
  const sex = h('select', { id: 'reg-sex', name: 'sex' },
    ...['F', 'M', 'U'].map((v) => h('option', { value: v }, t(`register.sex_${v}`))));
  const form = h('form', { class: 'admin-form care-form', 'data-testid': 'register-form' },
    h('div', { class: 'form-grid' },
      field('reg-id', t('register.patient_id'), input('reg-id', 'patient_id', { required: true, pattern: '[A-Za-z0-9]{1,20}', inputmode: 'latin' }), t('register.patient_id_hint')),
      field('reg-family', t('register.family'), input('reg-family', 'family', { required: true })),
      field('reg-given', t('register.given'), input('reg-given', 'given')),
      field('reg-family-kana', t('register.family_kana'), input('reg-family-kana', 'family_kana', { pattern: '[ァ-ヶー　 ]*' })),
      field('reg-given-kana', t('register.given_kana'), input('reg-given-kana', 'given_kana', { pattern: '[ァ-ヶー　 ]*' })),
      field('reg-sex', t('register.sex'), sex),
      field('reg-birth', t('register.birth_date'), input('reg-birth', 'birth_date', { type: 'date', max: today() })),
      field('reg-postal', t('register.postal_code'), input('reg-postal', 'postal_code', { inputmode: 'numeric' })),
      field('reg-address', t('register.address'), input('reg-address', 'address')),
      field('reg-phone', t('register.phone'), input('reg-phone', 'phone', { type: 'tel' }))),
    h('fieldset', { class: 'consent-box' },
      h('legend', {}, t('register.consent')),
      h('label', { class: 'check' },
        h('input', { id: 'reg-consent', name: 'consent_obtained', type: 'checkbox', required: true }),
        ' ', t('register.consent_obtained')),
      h('div', { class: 'form-grid' },
        field('reg-consent-ref', t('register.consent_ref'), input('reg-consent-ref', 'consent_document_ref', { required: true, maxlength: '200' }), t('register.consent_ref_hint')),
        field('reg-consent-date', t('register.consent_date'), input('reg-consent-date', 'consent_date', { type: 'date', required: true, max: today(), value: today() })))),
    h('div', { class: 'form-buttons' },
      h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'register-send' }, t('register.send'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = form.elements;
    const body = { consent_obtained: f.consent_obtained.checked };
    for (const k of ['patient_id', 'family', 'given', 'family_kana', 'given_kana', 'sex', 'birth_date', 'postal_code', 'address', 'phone', 'consent_document_ref', 'consent_date']) {
      body[k] = f[k].value.trim();
    }
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const r = await api.post('/api/v1/uploads/patients', body);
      replace(out, reportView(r, 'register-report'));
      onRegistered(body.patient_id);
    } catch (e) {
      replace(out, failure(e, 'register-report'));
    } finally {
      button.disabled = false;
    }
  });
  return h('div', {}, form, out);
}

function documentForm() {
  const out = h('div', { 'data-testid': 'document-result', 'aria-live': 'polite' });
  const category = h('select', { id: 'doc-category', name: 'category', required: true },
    ...CATEGORIES.map((c) => h('option', { value: c }, t(`register.category_${c}`))));
  const form = h('form', { class: 'admin-form care-form', 'data-testid': 'document-form' },
    h('div', { class: 'form-grid' },
      field('doc-patient', t('register.patient_id'), input('doc-patient', 'patient_id', { required: true, pattern: '[A-Za-z0-9]{1,20}', inputmode: 'latin' })),
      field('doc-title', t('register.title'), input('doc-title', 'title', { required: true, maxlength: '40' })),
      field('doc-category', t('register.category'), category),
      field('doc-date', t('register.date'), input('doc-date', 'date', { type: 'date', required: true, max: today(), value: today() })),
      field('doc-file', t('register.file'), h('input', { id: 'doc-file', name: 'file', type: 'file', required: true, accept: '.pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png' }), t('register.file_hint'))),
    h('div', { class: 'form-buttons' },
      h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'document-send' }, t('register.attach'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = form.elements;
    const file = f.file.files[0];
    if (!file) return;
    const ext = (file.name.split('.').pop() || '').toLowerCase();
    const type = file.type && Object.values(TYPES).includes(file.type) ? file.type : TYPES[ext];
    if (!type) return replace(out, notice(t('register.wrong_type'), 'error'));
    if (file.size > MAX_BYTES) return replace(out, notice(t('register.too_large'), 'error'));
    const query = new URLSearchParams({
      patient_id: f.patient_id.value.trim(), title: f.title.value.trim(), category: f.category.value, date: f.date.value,
    });
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    const bar = h('progress', { max: '100', value: '0', 'data-testid': 'document-progress', class: 'upload-progress' });
    replace(out, h('div', { class: 'upload-progress-row' }, bar));
    try {
      const bytes = await file.arrayBuffer();
      const r = await upload(`/api/v1/uploads/documents?${query}`, bytes, type, (x) => { bar.value = Math.round(x * 100); });
      replace(out, reportView(r, 'document-report'));
    } catch (e) {
      replace(out, failure(e, 'document-report'));
    } finally {
      button.disabled = false;
    }
  });
  return { node: h('div', {}, form, out), setPatient: (id) => { form.elements.patient_id.value = id; } };
}

export function render(main, ctx) {
  const docs = documentForm();
  replace(main, h('div', { class: 'page upload-page register-page', 'data-testid': 'register-page' },
    h('h1', {}, t('register.heading')),
    h('p', { class: 'hint' }, t('register.intro', { facility: ctx.session?.user?.facility?.name || '' })),
    h('section', {}, h('h2', {}, t('register.patient_section')), patientForm((id) => docs.setPatient(id))),
    h('section', {}, h('h2', {}, t('register.document_section')), docs.node)));
}
