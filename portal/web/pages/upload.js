// The facility data manager's page (施設データ管理者, issue #17): one SS-MIX2 export as a zip,
// sent to the facility's own gateway through POST /api/v1/uploads/ssmix2, and the gateway's
// answer: how many files were stored, and each file's status and reason.

import { h, replace } from '../dom.js';
import { t } from '../i18n.js';
import { request } from '../api.js';
import { errorBox, loading, notice, table } from '../ui.js';

const MAX_BYTES = 256 * 1024 * 1024;

function resultView(r) {
  const files = Array.isArray(r?.files) ? r.files : [];
  const rows = table([
    { label: t('upload.path'), render: (f) => f.path || '—' },
    { label: t('upload.status'), render: (f) => h('span', { class: `upload-${f.status}` }, f.status || '—') },
    { label: t('upload.reason'), render: (f) => f.reason || '' },
  ], files, { class: 'upload-files' });
  return h('div', {},
    h('p', { 'data-testid': 'upload-stored' }, t('upload.stored', { n: r?.stored ?? 0, total: files.length })),
    r?.upload_id ? h('p', { class: 'hint' }, t('upload.id', { id: r.upload_id })) : null,
    rows);
}

export function render(main, ctx) {
  const out = h('div', { 'data-testid': 'upload-result' });
  const form = h('form', { class: 'admin-form', 'data-testid': 'upload-form' },
    h('div', { class: 'field' }, h('label', { for: 'upload-file' }, t('upload.file')),
      h('input', { id: 'upload-file', name: 'file', type: 'file', accept: '.zip,application/zip', required: true }),
      h('div', { class: 'hint' }, t('upload.file_hint'))),
    h('div', { class: 'form-buttons' },
      h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'upload-send' }, t('upload.send'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const file = form.elements.file.files[0];
    if (!file) return;
    if (file.size > MAX_BYTES) {
      replace(out, notice(t('upload.too_large'), 'error'));
      return;
    }
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    replace(out, loading());
    try {
      const bytes = await file.arrayBuffer();
      const r = await request('POST', '/api/v1/uploads/ssmix2', { rawBody: bytes, contentType: 'application/zip' });
      replace(out, notice(t('upload.done'), 'success'), resultView(r));
    } catch (e) {
      // 422: something was rejected; the gateway's answer says what and why.
      replace(out, Array.isArray(e.body?.files) ? notice(t('upload.partly'), 'error') : errorBox(e),
        Array.isArray(e.body?.files) ? resultView(e.body) : null);
    } finally {
      button.disabled = false;
    }
  });
  replace(main, h('div', { class: 'page upload-page', 'data-testid': 'upload-page' },
    h('h1', {}, t('upload.title')),
    h('p', { class: 'hint' }, t('upload.intro', { facility: ctx.session?.user?.facility?.name || '' })),
    form, out));
}
