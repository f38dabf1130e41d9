// The facility data manager's page (施設データ管理者, issue #17): one SS-MIX2 export as a zip
// (POST /api/v1/uploads/ssmix2), or a pharmacy's お薬手帳 file for one patient
// (POST /api/v1/uploads/jahis), or FHIR R4 JSON of one patient (JP Core resources, a JP-CLINS
// document; POST /api/v1/uploads/fhir), sent to the facility's own gateway with a progress bar, and the
// gateway's answer: how many files were stored, and each file's status and reason.

import { h, replace } from '../dom.js';
import { t } from '../i18n.js';
import { upload } from '../api.js';
import { MAX_ZIP_ENTRIES, zipFiles } from '../zip.js';
import { errorBox, notice, table } from '../ui.js';

const MAX_BYTES = 256 * 1024 * 1024;
const MAX_JAHIS_BYTES = 8 * 1024 * 1024;
const MAX_FHIR_BYTES = 16 * 1024 * 1024;

function resultView(r) {
  const files = Array.isArray(r?.files) ? r.files : [];
  const rows = table([
    { label: t('upload.path'), render: (f) => f.path || f.name || '—' },
    { label: t('upload.status'), render: (f) => h('span', { class: `upload-${f.status}` }, t(`upload.status_${f.status}`) || f.status || '—') },
    { label: t('upload.reason'), render: (f) => f.reason || '' },
  ], files, { class: 'upload-files' });
  return h('div', {},
    r?.error ? h('p', { class: 'upload-error', 'data-testid': 'upload-error' }, r.error) : null,
    h('p', { 'data-testid': 'upload-stored' }, t('upload.stored', { n: r?.stored ?? 0, total: files.length })),
    r?.upload_id ? h('p', { class: 'hint' }, t('upload.id', { id: r.upload_id })) : null,
    rows);
}

function progressBar() {
  const bar = h('progress', { max: '100', value: '0', 'data-testid': 'upload-progress', class: 'upload-progress' });
  const label = h('span', { class: 'hint' }, t('upload.sending', { pct: 0 }));
  return {
    node: h('div', { class: 'upload-progress-row' }, bar, label),
    set(fraction) {
      const pct = Math.round(fraction * 100);
      bar.value = pct;
      label.textContent = fraction >= 1 ? t('upload.checking') : t('upload.sending', { pct });
    },
    packing(fraction) {
      const pct = Math.round(fraction * 100);
      bar.value = pct;
      label.textContent = t('upload.packing', { pct });
    },
  };
}

// One form: its fields, the file limit, and where and how it is sent. directory: the input
// picks a folder, whose files pack() turns into the body (else the one file is the body).
function uploadForm({ testid, fields, fileLabel, accept, maxBytes, tooLarge, send, directory, pack }) {
  const out = h('div', { 'data-testid': `${testid}-result` });
  const form = h('form', { class: 'admin-form', 'data-testid': testid },
    ...fields,
    h('div', { class: 'field' }, h('label', { for: `${testid}-file` }, fileLabel),
      h('input', { id: `${testid}-file`, name: 'file', type: 'file', accept, required: true, webkitdirectory: directory, multiple: directory })),
    h('div', { class: 'form-buttons' },
      h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': `${testid}-send` }, t('upload.send'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const files = [...form.elements.file.files];
    if (!files.length) return;
    if (files.reduce((n, f) => n + f.size, 0) > maxBytes) {
      replace(out, notice(tooLarge, 'error'));
      return;
    }
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    const progress = progressBar();
    replace(out, progress.node);
    try {
      const bytes = pack ? await pack(files, (f) => progress.packing(f)) : await files[0].arrayBuffer();
      const r = await send(form, bytes, (f) => progress.set(f));
      replace(out, notice(t('upload.done'), 'success'), resultView(r));
    } catch (e) {
      // 422: something was rejected; the gateway's answer says what and why.
      replace(out, Array.isArray(e.body?.files) ? notice(t('upload.partly'), 'error') : errorBox(e),
        Array.isArray(e.body?.files) ? resultView(e.body) : null);
    } finally {
      button.disabled = false;
    }
  });
  return h('div', {}, form, out);
}

export function render(main, ctx) {
  const ssmix2 = uploadForm({
    testid: 'upload-form',
    fields: [h('div', { class: 'hint' }, t('upload.file_hint'))],
    fileLabel: t('upload.file'),
    accept: '.zip,application/zip',
    maxBytes: MAX_BYTES,
    tooLarge: t('upload.too_large'),
    send: (form, bytes, onProgress) => upload('/api/v1/uploads/ssmix2', bytes, 'application/zip', onProgress),
  });
  // A folder of standard storage as it is: zipped here (stored, not compressed), then sent
  // as the zip above would be.
  const folder = uploadForm({
    testid: 'folder-form',
    fields: [h('div', { class: 'hint' }, t('upload.folder_hint'))],
    fileLabel: t('upload.folder'),
    accept: null,
    directory: true,
    maxBytes: MAX_BYTES,
    tooLarge: t('upload.too_large'),
    pack: (files, onProgress) => {
      const entries = files.filter((f) => !f.name.startsWith('.'))
        .map((f) => ({ name: f.webkitRelativePath || f.name, file: f }));
      if (entries.length > MAX_ZIP_ENTRIES) throw new Error(t('upload.folder_too_many', { n: MAX_ZIP_ENTRIES }));
      return zipFiles(entries, onProgress);
    },
    send: (form, bytes, onProgress) => upload('/api/v1/uploads/ssmix2', bytes, 'application/zip', onProgress),
  });
  const jahis = uploadForm({
    testid: 'jahis-form',
    fields: [
      h('div', { class: 'hint' }, t('upload.jahis_hint')),
      h('div', { class: 'field' }, h('label', { for: 'jahis-patient' }, t('upload.patient_id')),
        h('input', { id: 'jahis-patient', name: 'patient_id', required: true, pattern: '[A-Za-z0-9]+', autocomplete: 'off', inputmode: 'latin' })),
    ],
    fileLabel: t('upload.jahis_file'),
    accept: '.csv,.txt,text/csv',
    maxBytes: MAX_JAHIS_BYTES,
    tooLarge: t('upload.jahis_too_large'),
    send: (form, bytes, onProgress) => upload(
      `/api/v1/uploads/jahis?patient_id=${encodeURIComponent(form.elements.patient_id.value.trim())}`,
      bytes, 'text/csv', onProgress),
  });
  const fhir = uploadForm({
    testid: 'fhir-form',
    fields: [
      h('div', { class: 'hint' }, t('upload.fhir_hint')),
      h('div', { class: 'field' }, h('label', { for: 'fhir-patient' }, t('upload.fhir_patient_id')),
        h('input', { id: 'fhir-patient', name: 'patient_id', required: true, pattern: '[A-Za-z0-9]+', autocomplete: 'off', inputmode: 'latin' })),
    ],
    fileLabel: t('upload.fhir_file'),
    accept: '.json,application/fhir+json,application/json',
    maxBytes: MAX_FHIR_BYTES,
    tooLarge: t('upload.fhir_too_large'),
    send: (form, bytes, onProgress) => upload(
      `/api/v1/uploads/fhir?patient_id=${encodeURIComponent(form.elements.patient_id.value.trim())}`,
      bytes, 'application/fhir+json', onProgress),
  });
  replace(main, h('div', { class: 'page upload-page', 'data-testid': 'upload-page' },
    h('h1', {}, t('upload.title')),
    h('p', { class: 'hint' }, t('upload.intro', { facility: ctx.session?.user?.facility?.name || '' })),
    h('section', {}, h('h2', {}, t('upload.ssmix2_title')), ssmix2),
    h('section', {}, h('h2', {}, t('upload.folder_title')), folder),
    h('section', {}, h('h2', {}, t('upload.jahis_title')), jahis),
    h('section', {}, h('h2', {}, t('upload.fhir_title')), fhir)));
}
