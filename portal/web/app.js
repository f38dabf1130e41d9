// Single-page app shell: session probe, header, and a router on location.hash.
//   #/login            login (and first-login one-time-code enrolment)
//   #/patients         patient list and search
//   #/patients/{id}/{tab}  patient page
//   #/admin/{section}  secretariat console (roles contains "admin")
//   #/upload           the facility data manager's SS-MIX2 upload (roles contains "upload")
//   #/disclosed        the facility's disclosed patients and records, and their withdrawal
//   #/register         the same data manager's web form: patients with consent, documents
//   #/fhir-launch      a SMART app's launch/patient: pick the patient it may read

import { h, replace } from './dom.js';
import { t, lang, setLang } from './i18n.js';
import { currentSession, logout, onUnauthorized } from './api.js';
import { errorBox, loading } from './ui.js';
import * as loginPage from './pages/login.js';
import * as patientsPage from './pages/patients.js';
import * as patientPage from './pages/patient.js';
import { forgetPatient } from './pages/patient.js';
import * as adminPage from './pages/admin.js';
import * as fhirLaunchPage from './pages/fhir_launch.js';
import * as uploadPage from './pages/upload.js';
import * as disclosedPage from './pages/disclosed.js';
import * as registerPage from './pages/register.js';

const state = { session: null, flash: null };
const header = document.getElementById('app-header');
const main = document.getElementById('main');

export function isAdmin(session) {
  return !!session?.user?.roles?.includes('admin');
}

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [pathPart, queryPart] = raw.split('?');
  const parts = pathPart.split('/').filter(Boolean).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  return { parts, query: new URLSearchParams(queryPart || '') };
}

export function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

// The prefecture officer's only page is the statistics.
function isStatsReader(session) {
  return !!session?.user?.roles?.includes('stats');
}

// The facility data manager's only page is the upload (no patient data, no console).
function isUploader(session) {
  return !!session?.user?.roles?.includes('upload');
}

function homeFor(session) {
  if (isAdmin(session)) return '#/admin/facilities';
  if (isUploader(session)) return '#/upload';
  return isStatsReader(session) ? '#/admin/stats' : '#/patients';
}

function renderHeader() {
  const s = state.session;
  const langBtn = h('button', {
    type: 'button', class: 'btn btn-ghost lang-toggle', 'data-testid': 'lang-toggle',
    onclick: () => {
      setLang(lang() === 'ja' ? 'en' : 'ja');
      renderHeader();
      route();
    },
  }, t('lang.toggle'));
  const brand = h('a', { class: 'brand', href: s ? homeFor(s) : '#/login' }, t('app.title'));
  const nav = h('nav', { class: 'app-nav', 'aria-label': t('nav.menu') });
  if (s) {
    if (!isStatsReader(s) && !isUploader(s) && (!isAdmin(s) || s.user.profession !== 'secretariat_admin')) {
      nav.appendChild(h('a', { href: '#/patients', class: 'nav-link' }, t('nav.patients')));
    }
    if (isAdmin(s)) nav.appendChild(h('a', { href: '#/admin/facilities', class: 'nav-link' }, t('nav.admin')));
    if (isStatsReader(s)) nav.appendChild(h('a', { href: '#/admin/stats', class: 'nav-link' }, t('admin.stats')));
    if (isUploader(s)) {
      nav.appendChild(h('a', { href: '#/upload', class: 'nav-link' }, t('nav.upload')));
      nav.appendChild(h('a', { href: '#/register', class: 'nav-link' }, t('nav.register')));
      nav.appendChild(h('a', { href: '#/disclosed', class: 'nav-link', 'data-testid': 'nav-disclosed' }, t('nav.disclosed')));
    }
    const who = h('span', { class: 'who' },
      h('span', { class: 'who-name' }, s.user.display_name || s.user.login_id),
      h('span', { class: 'who-facility' }, s.user.facility?.name || ''));
    nav.append(who, langBtn, h('button', {
      type: 'button', class: 'btn btn-ghost', 'data-testid': 'logout',
      onclick: async () => {
        try {
          await logout();
        } catch {
          // the session may already be gone; the login page is right either way
        }
        // A fresh page: no patient data of this session stays in memory or in the DOM.
        forgetPatient();
        state.session = null;
        location.replace(`${location.pathname}#/login?logged_out=1`);
        location.reload();
      },
    }, t('nav.logout')));
  } else {
    nav.appendChild(langBtn);
  }
  replace(header, brand, nav);
  document.title = t('app.title');
}

async function route() {
  const { parts, query } = parseHash();
  const ctx = {
    session: state.session,
    query,
    navigate,
    flash: state.flash || (query.get('logged_out') ? t('login.logged_out') : null),
    onLogin: (session) => {
      // A SMART app's authorization request sent the user here: back to it (same origin,
      // that path only: never an open redirect).
      const next = query.get('next') || '';
      if (next.startsWith('/fhir/auth/authorize?')) {
        location.assign(next);
        return;
      }
      forgetPatient();
      state.session = session;
      state.flash = null;
      renderHeader();
      navigate(homeFor(session));
    },
  };
  state.flash = null;
  window.scrollTo(0, 0);
  if (!state.session || parts[0] === 'login') {
    if (state.session && parts[0] === 'login') return navigate(homeFor(state.session));
    return loginPage.render(main, ctx);
  }
  try {
    if (isStatsReader(state.session) && parts[0] !== 'admin') return navigate(homeFor(state.session));
    if (isUploader(state.session)) {
      if (parts[0] === 'disclosed') return disclosedPage.render(main, ctx);
      if (parts[0] === 'register') return registerPage.render(main, ctx);
      if (parts[0] !== 'upload') return navigate(homeFor(state.session));
      return uploadPage.render(main, ctx);
    }
    if (parts[0] === 'fhir-launch') return fhirLaunchPage.render(main, ctx);
    if (parts[0] === 'patients' && parts[1]) return await patientPage.render(main, { ...ctx, personId: parts[1], tab: parts[2] });
    if (parts[0] === 'patients') return await patientsPage.render(main, ctx);
    if (parts[0] === 'admin') return await adminPage.render(main, { ...ctx, section: parts[1] || 'facilities', params: parts.slice(2) });
    return navigate(homeFor(state.session));
  } catch (e) {
    replace(main, errorBox(e));
  }
}

onUnauthorized(() => {
  if (!state.session) return;
  forgetPatient();
  state.session = null;
  state.flash = t('login.expired');
  renderHeader();
  navigate('#/login');
});

async function start() {
  setLang(lang());
  replace(main, loading());
  try {
    state.session = await currentSession();
  } catch (e) {
    state.session = null;
    if (e.status !== 401) state.flash = e.message;
  }
  renderHeader();
  window.addEventListener('hashchange', route);
  route();
}

start();
