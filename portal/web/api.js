// fetch wrapper for the portal's browser API (docs/api.md). Same-origin cookies, JSON
// bodies, X-CSRF-Token on every state-changing call, the one error shape turned into an
// ApiError whose message can be shown to the user, and 401 announced so the app can show
// the login page. The CSRF token lives in memory only; a reload gets it again from
// GET /api/v1/session.

import { t } from './i18n.js';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
let csrfToken = null;
const unauthorizedListeners = new Set();

export class ApiError extends Error {
  constructor({ status, code, message, requestId, body }) {
    super(message);
    this.name = 'ApiError';
    this.status = status;        // HTTP status, 0 when the network failed
    this.code = code;            // the envelope's `error`, e.g. 'forbidden', 'locked'
    this.requestId = requestId;  // for the helpdesk
    this.body = body;            // the whole JSON body (e.g. locked_until)
  }
}

export function setCsrfToken(token) {
  csrfToken = token || null;
}

export function csrfTokenForTests() {
  return csrfToken;
}

// fn(error) is called on every 401 except from the login calls themselves.
export function onUnauthorized(fn) {
  unauthorizedListeners.add(fn);
  return () => unauthorizedListeners.delete(fn);
}

export function buildQuery(params) {
  if (!params) return '';
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    q.append(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

// Path segments from data (ids, OIDs) are always encoded.
export function seg(s) {
  return encodeURIComponent(String(s));
}

function fallbackMessage(status) {
  if (status === 401) return t('error.unauthorized');
  if (status === 403) return t('error.forbidden');
  if (status === 404) return t('error.not_found');
  return t('error.http', { status });
}

async function toError(res) {
  let body = null;
  const type = res.headers.get('Content-Type') || '';
  if (type.includes('json')) {
    try {
      body = await res.json();
    } catch {
      body = null;
    }
  }
  const envelope = body && typeof body === 'object' && typeof body.error === 'string';
  return new ApiError({
    status: res.status,
    code: envelope ? body.error : `http_${res.status}`,
    message: envelope && typeof body.message === 'string' && body.message ? body.message : fallbackMessage(res.status),
    requestId: (envelope && body.request_id) || res.headers.get('X-Request-Id') || null,
    body,
  });
}

// request('GET', '/api/v1/persons', {query, body, rawBody, contentType, raw, quiet401})
//   raw: return the Response (documents, blobs) instead of parsed JSON.
//   quiet401: do not announce 401 (the session probe and the login form handle it).
export async function request(method, path, options = {}) {
  const headers = { Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  } else if (options.rawBody !== undefined) {
    // A file sent as it is (a CSV import), with its own type.
    headers['Content-Type'] = options.contentType || 'application/octet-stream';
    init.body = options.rawBody;
  }
  if (UNSAFE.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  if (options.accept) headers.Accept = options.accept;
  if (options.signal) init.signal = options.signal;
  let res;
  try {
    res = await fetch(path + buildQuery(options.query), init);
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    throw new ApiError({ status: 0, code: 'network', message: t('error.network'), requestId: null, body: null });
  }
  if (!res.ok) {
    const err = await toError(res);
    if (res.status === 401 && !options.quiet401) {
      for (const fn of unauthorizedListeners) fn(err);
    }
    throw err;
  }
  if (options.raw) return res;
  if (res.status === 204) return null;
  const type = res.headers.get('Content-Type') || '';
  if (!type.includes('json')) return null;
  return res.json();
}

// A large file sent as it is, with its upload progress (fetch reports none): onProgress gets
// the fraction sent (0..1). Resolves with the JSON answer; rejects with an ApiError as request().
export function upload(path, bytes, contentType, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Content-Type', contentType);
    if (csrfToken) xhr.setRequestHeader('X-CSRF-Token', csrfToken);
    xhr.upload.onprogress = (ev) => {
      if (ev.lengthComputable && onProgress) onProgress(ev.loaded / ev.total);
    };
    xhr.onerror = () => reject(new ApiError({ status: 0, code: 'network', message: t('error.network'), requestId: null, body: null }));
    xhr.onload = () => {
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve(body);
        return;
      }
      const envelope = body && typeof body === 'object' && typeof body.error === 'string';
      reject(new ApiError({
        status: xhr.status,
        code: envelope ? body.error : `http_${xhr.status}`,
        message: envelope && body.message ? body.message : fallbackMessage(xhr.status),
        requestId: (envelope && body.request_id) || xhr.getResponseHeader('X-Request-Id') || null,
        body,
      }));
    };
    xhr.send(bytes);
  });
}

export const api = {
  get: (path, query, options = {}) => request('GET', path, { ...options, query }),
  post: (path, body, options = {}) => request('POST', path, { ...options, body }),
  put: (path, body, options = {}) => request('PUT', path, { ...options, body }),
  patch: (path, body, options = {}) => request('PATCH', path, { ...options, body }),
  del: (path, options = {}) => request('DELETE', path, options),
};

// ---- session ---------------------------------------------------------------------------

// enrolmentSecret: on the first login, the secret the enrolment answer gave, sent back with
// the first code from it (the portal keeps no half-enrolled state between the two calls).
export async function login(loginId, password, totp, enrolmentSecret) {
  const body = { login_id: loginId, password, totp };
  if (enrolmentSecret) body.enrolment_secret = enrolmentSecret;
  const r = await api.post('/api/v1/session', body, { quiet401: true });
  if (r && r.csrf_token) setCsrfToken(r.csrf_token);
  return r;
}

export async function loginHpki() {
  const r = await api.post('/api/v1/session/hpki', undefined, { quiet401: true });
  if (r && r.csrf_token) setCsrfToken(r.csrf_token);
  return r;
}

export async function currentSession() {
  const r = await api.get('/api/v1/session', undefined, { quiet401: true });
  if (r && r.csrf_token) setCsrfToken(r.csrf_token);
  return r;
}

export async function logout() {
  try {
    await api.del('/api/v1/session', { quiet401: true });
  } finally {
    setCsrfToken(null);
  }
}
