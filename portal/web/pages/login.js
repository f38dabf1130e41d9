// Login: ID + password + one-time code, or the HPKI card (TLS client certificate). The
// first password login of a user answers enrolment_required with a new TOTP secret; the
// user adds it to an authenticator app and logs in again with a code from it.

import { h, svg, replace } from '../dom.js';
import { encode } from '../vendor/uqr.js';
import { t, formatDateTime } from '../i18n.js';
import { login, loginHpki } from '../api.js';
import { errorBox, field, notice } from '../ui.js';

function messageFor(err) {
  if (err.status === 423 || err.code === 'locked') {
    const until = err.body?.locked_until;
    const text = until ? t('login.locked', { until: formatDateTime(until) }) : t('login.locked_no_time');
    return h('div', { class: 'alert alert-error', role: 'alert', 'data-testid': 'login-error' }, text,
      err.message && err.body?.message ? h('div', { class: 'detail' }, err.message) : null);
  }
  if (err.code === 'totp_required') {
    return h('div', { class: 'alert alert-error', role: 'alert', 'data-testid': 'login-error' }, t('login.totp_required'));
  }
  if (err.code === 'account_disabled') {
    return h('div', { class: 'alert alert-error', role: 'alert', 'data-testid': 'login-error' }, t('login.disabled'));
  }
  if (err.status === 401) {
    return h('div', { class: 'alert alert-error', role: 'alert', 'data-testid': 'login-error' }, t('login.failed'));
  }
  const box = errorBox(err);
  box.dataset.testid = 'login-error';
  return box;
}

export function render(main, ctx) {
  const status = h('div', { class: 'login-status', 'aria-live': 'polite' });
  if (ctx.flash) status.appendChild(notice(ctx.flash));
  const idField = field({ name: 'login_id', label: t('login.id'), autocomplete: 'username', required: true });
  const pwField = field({ name: 'password', label: t('login.password'), type: 'password', autocomplete: 'current-password', required: true });
  const totpField = field({ name: 'totp', label: t('login.totp'), inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]{6}', maxlength: 6, required: true });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block', 'data-testid': 'login-submit' }, t('login.submit'));
  const form = h('form', { class: 'login-form', novalidate: true, 'data-testid': 'login-form' }, idField, pwField, totpField, submit);
  const card = h('section', { class: 'login-card' });

  let credentials = null;  // kept in memory only while the enrolment screen is up

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const loginId = form.elements.login_id.value.trim();
    const password = form.elements.password.value;
    const totp = form.elements.totp.value.trim();
    if (!loginId || !password) {
      replace(status, notice(t('login.required'), 'error'));
      return;
    }
    submit.disabled = true;
    replace(status);
    try {
      const r = await login(loginId, password, totp);
      if (r?.enrolment_required) {
        credentials = { loginId, password, secret: r.secret };
        showEnrolment(r);
      } else {
        ctx.onLogin(r);
      }
    } catch (e) {
      replace(status, messageFor(e));
      form.elements.totp.value = '';
    } finally {
      submit.disabled = false;
    }
  });

  const hpki = h('button', {
    type: 'button', class: 'btn btn-secondary btn-block', 'data-testid': 'login-hpki',
    onclick: async () => {
      hpki.disabled = true;
      replace(status);
      try {
        ctx.onLogin(await loginHpki());
      } catch (e) {
        const reason = e.message;
        replace(status, e.status === 401 || e.status === 403
          ? h('div', { class: 'alert alert-error', role: 'alert', 'data-testid': 'login-error' }, t('login.hpki_failed', { reason }))
          : messageFor(e));
      } finally {
        hpki.disabled = false;
      }
    },
  }, t('login.hpki'));

  function showEnrolment(r) {
    const code = field({ name: 'totp', label: t('enrol.code'), inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]{6}', maxlength: 6, required: true });
    const enrolStatus = h('div', { 'aria-live': 'polite' });
    const btn = h('button', { type: 'submit', class: 'btn btn-primary btn-block', 'data-testid': 'enrol-submit' }, t('enrol.submit'));
    const enrolForm = h('form', { class: 'login-form', 'data-testid': 'enrol-form' }, code, btn);
    enrolForm.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      btn.disabled = true;
      try {
        const s = await login(credentials.loginId, credentials.password, enrolForm.elements.totp.value.trim(), credentials.secret);
        if (s?.enrolment_required) {
          credentials.secret = s.secret;
          showEnrolment(s);
          return;
        }
        credentials = null;
        ctx.onLogin(s);
      } catch (e) {
        replace(enrolStatus, messageFor(e));
      } finally {
        btn.disabled = false;
      }
    });
    replace(card,
      h('h1', {}, t('enrol.title')),
      h('p', { class: 'lead' }, t('enrol.lead')),
      qrCode(r.otpauth_uri),
      h('dl', { class: 'enrol' },
        h('dt', {}, t('enrol.uri')), h('dd', {}, h('code', { class: 'break', 'data-testid': 'enrol-uri' }, r.otpauth_uri || '')),
        h('dt', {}, t('enrol.secret')), h('dd', {}, h('code', { class: 'secret', 'data-testid': 'enrol-secret' }, groupSecret(r.secret || '')))),
      enrolStatus, enrolForm);
    enrolForm.elements.totp.focus();
  }

  replace(card,
    h('h1', {}, t('login.title')),
    h('p', { class: 'lead' }, t('login.lead')),
    status, form,
    h('div', { class: 'or' }, h('span', {}, t('login.or'))),
    hpki);
  replace(main, h('div', { class: 'login-page' }, card));
  form.elements.login_id.focus();
}

// The otpauth URI as a QR code for the authenticator app's camera, one SVG rect per dark
// module run; null if the URI cannot be encoded (the text below still works).
export function qrCode(uri) {
  if (!uri) return null;
  let qr;
  try {
    qr = encode(uri, { ecc: 'M', border: 2 });
  } catch {
    return null;
  }
  const n = qr.size;
  const rects = [];
  qr.data.forEach((row, y) => {
    let x = 0;
    while (x < n) {
      if (!row[x]) {
        x += 1;
        continue;
      }
      const start = x;
      while (x < n && row[x]) x += 1;
      rects.push(svg('rect', { x: start, y, width: x - start, height: 1 }));
    }
  });
  return h('div', { class: 'qr', 'data-testid': 'enrol-qr' },
    svg('svg', { viewBox: `0 0 ${n} ${n}`, class: 'qr-svg', role: 'img', 'aria-label': t('enrol.qr'), 'shape-rendering': 'crispEdges' },
      svg('rect', { x: 0, y: 0, width: n, height: n, class: 'qr-bg' }), rects));
}

// "JBSWY3DPEHPK3PXP" → "JBSW Y3DP EHPK 3PXP" for reading aloud or typing.
function groupSecret(s) {
  return s.replace(/(.{4})/g, '$1 ').trim();
}

export { messageFor as loginMessageFor };
