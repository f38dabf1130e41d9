// Secretariat console, the apps of the FHIR API (docs/fhir.md): the registered SMART apps,
// registering one (client id, name, exact redirect URIs, the most it may be granted) and
// revoking one (every token it holds ends at once); a backend system (SMART Backend Services)
// is registered with its public keys (a JWK Set) and the directory user it acts as.

import { h, replace } from '../dom.js';
import { t, formatDateTime } from '../i18n.js';
import { api, seg } from '../api.js';
import { errorBox, loading, notice, field, formValues, table } from '../ui.js';

const A = '/api/v1/admin/fhir-clients';

export async function fhirApps(panel) {
  const listSlot = h('div', { 'data-testid': 'fhir-apps' });
  const status = h('div', {});
  async function load() {
    replace(listSlot, loading());
    try {
      const items = (await api.get(A))?.items || [];
      if (!items.length) {
        replace(listSlot, h('p', { class: 'empty' }, t('fhir.none')));
        return;
      }
      replace(listSlot, table([
        { label: t('fhir.client_id'), render: (c) => h('code', {}, c.client_id) },
        { label: t('fhir.name'), render: (c) => c.name },
        { label: t('fhir.kind'), render: (c) => t(`fhir.kind_${c.kind || 'app'}`) },
        { label: t('fhir.redirect_uris'), render: (c) => (c.kind === 'backend'
          ? h('span', {}, t('fhir.acts_as'), ' ', h('code', {}, c.acts_as || ''), ' ', t('fhir.key_ids'), ' ', h('code', {}, c.key_ids || ''))
          : h('span', {}, c.redirect_uris.map((u) => h('code', { class: 'block' }, u)))) },
        { label: t('fhir.scopes'), render: (c) => h('code', {}, c.scopes) },
        { label: t('fhir.status'), render: (c) => t(`fhir.status_${c.status}`) },
        { label: t('fhir.created_at'), render: (c) => formatDateTime(c.created_at) },
        { label: '', class: 'actions', render: (c) => (c.status !== 'active' ? null : h('button', {
          type: 'button', class: 'btn btn-ghost', 'data-testid': `fhir-revoke-${c.client_id}`,
          onclick: async () => {
            if (!window.confirm(t('fhir.confirm_revoke', { name: c.name }))) return;
            replace(status);
            try {
              await api.post(`${A}/${seg(c.client_id)}/revoke`);
              await load();
            } catch (e) {
              replace(status, errorBox(e));
            }
          },
        }, t('fhir.revoke'))) },
      ], items));
    } catch (e) {
      replace(listSlot, errorBox(e));
    }
  }
  // A registration form: its fields, then the body from its values (or a message why not).
  const registration = (testid, fields, body) => {
    const formStatus = h('div', {});
    const f = h('form', { class: 'admin-form grid-form', 'data-testid': testid }, ...fields,
      h('div', { class: 'form-buttons' }, h('button', { type: 'submit', class: 'btn btn-primary' }, t('fhir.register'))),
      formStatus);
    f.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      replace(formStatus);
      const v = body(formValues(f));
      if (typeof v === 'string') {
        replace(formStatus, notice(v, 'error'));
        return;
      }
      try {
        await api.post(A, v);
        f.reset();
        replace(formStatus, notice(t('common.saved'), 'success'));
        await load();
      } catch (e) {
        replace(formStatus, errorBox(e));
      }
    });
    return f;
  };
  const form = registration('fhir-app-form', [
    field({ name: 'client_id', label: t('fhir.client_id'), required: true, placeholder: 'kanja-app' }),
    field({ name: 'name', label: t('fhir.name'), required: true }),
    field({ name: 'redirect_uris', label: t('fhir.redirect_uris_one_per_line'), type: 'textarea', required: true, placeholder: 'https://app.example.jp/callback' }),
    field({ name: 'scopes', label: t('fhir.scopes'), required: true, value: 'user/*.rs offline_access' }),
  ], (v) => ({ ...v, redirect_uris: (v.redirect_uris || '').split(/\s+/).filter(Boolean) }));
  // A backend system (SMART Backend Services): its public keys and the user it acts as.
  const backend = registration('fhir-backend-form', [
    field({ name: 'client_id', label: t('fhir.client_id'), required: true, placeholder: 'shukei-system' }),
    field({ name: 'name', label: t('fhir.name'), required: true }),
    field({ name: 'acts_as', label: t('fhir.acts_as_login'), required: true }),
    field({ name: 'jwks', label: t('fhir.jwks'), type: 'textarea', required: true, placeholder: '{"keys":[{"kty":"EC","crv":"P-384","kid":"…","x":"…","y":"…"}]}' }),
    field({ name: 'scopes', label: t('fhir.scopes'), required: true, value: 'system/*.rs' }),
  ], (v) => {
    try {
      return { ...v, jwks: JSON.parse(v.jwks || '') };
    } catch {
      return t('fhir.jwks_not_json');
    }
  });
  replace(panel, h('p', { class: 'hint' }, t('fhir.intro')), status, listSlot,
    h('h2', {}, t('fhir.register_heading')), form,
    h('h2', {}, t('fhir.backend_heading')), h('p', { class: 'hint' }, t('fhir.backend_intro')), backend);
  await load();
}
