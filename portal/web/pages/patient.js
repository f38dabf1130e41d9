// Patient page: header (names, sex, age, birth date, ids per facility, allergies in red)
// and one tab per data category the API says this user may see for this person
// (facilities[].categories). A category call may still answer 403/404 (policy changed,
// consent withdrawn): the tab then says so instead of breaking the page.

import { h, replace } from '../dom.js';
import { t, formatBirthDate } from '../i18n.js';
import { api, seg } from '../api.js';
import { errorBox, loading, missingBanner, preservedBanner, resetFacilityColours, facilityClass, sexLabel } from '../ui.js';
import * as tabs from './tabs.js';
import * as labs from './labs.js';
import * as imaging from './imaging.js';
import * as documents from './documents.js';
import { allergy } from '../normalize.js';

export const TABS = [
  { id: 'encounters', render: tabs.encounters },
  { id: 'diagnoses', render: tabs.diagnoses },
  { id: 'prescriptions', render: tabs.prescriptions },
  { id: 'injections', render: tabs.injections },
  { id: 'allergies', render: tabs.allergies },
  { id: 'lab_results', render: labs.render },
  { id: 'imaging', render: imaging.render },
  { id: 'reports', render: tabs.reports },
  { id: 'documents', render: documents.render },
];

// The categories any of the person's facilities lets this user see.
export function allowedCategories(person) {
  const set = new Set();
  for (const f of person?.facilities || []) for (const c of f.categories || []) set.add(c);
  return set;
}

let cached = null;  // {id, person}: this page's person while the user moves between tabs

// Called on logout and session end: nothing of one user's patients outlives the session.
export function forgetPatient() {
  cached = null;
}

async function loadPerson(personId) {
  if (cached && cached.id === personId && Date.now() - cached.at < 60_000) return cached.person;
  const person = await api.get(`/api/v1/persons/${seg(personId)}`);
  cached = { id: personId, person, at: Date.now() };
  return person;
}

// 受診歴 at a glance: per facility the first and last visit and how many, from the locator
// entries the portal keeps (no gateway is asked; only shown where the user may see visits).
function visitsView(person) {
  const rows = (person.facilities || [])
    .map((f) => ({ f, v: f.locator?.categories?.encounters }))
    .filter(({ v }) => v && v.count > 0);
  if (!rows.length) return null;
  return h('div', { class: 'ph-visits', 'data-testid': 'patient-visits' },
    h('span', { class: 'ph-label' }, t('patient.visits')),
    h('ul', { class: 'ids' }, rows.map(({ f, v }) =>
      h('li', { class: ['fac-tag', facilityClass(f.oid)] },
        t('patient.visit_range', { facility: f.name || f.oid, first: v.first || '', last: v.last || '', count: v.count })))));
}

// 他ネットワーク: which peer regional networks know this patient (IHE XCPD). Asked after the
// page is shown, so a slow peer never holds the records; nothing is shown when no peer is
// configured, and a failure only leaves the line out.
async function fillPeers(slot, personId, onFound) {
  let answer;
  try {
    answer = await api.get(`/api/v1/persons/${seg(personId)}/communities`);
  } catch (e) {
    return;
  }
  const peers = answer?.communities || [];
  if (!peers.length || !slot.isConnected) return;
  replace(slot, h('div', { class: 'ph-peers', 'data-testid': 'patient-peers' },
    h('span', { class: 'ph-label' }, t('patient.peers')),
    h('ul', { class: 'ids' }, peers.map((p) =>
      h('li', { class: ['peer-tag', `peer-${p.status}`], 'data-status': p.status },
        `${p.name} ${t(`peer.${p.status}`)}`)))));
  for (const p of peers) if (p.status === 'found') onFound(p);
}

// The tabs whose records a peer network can send (IHE XCA): the list and lab views; images and
// document downloads stay within this network.
const PEER_TABS = new Set(['encounters', 'diagnoses', 'prescriptions', 'injections', 'allergies', 'lab_results', 'reports']);

// 他ネットワークの記録: the current tab's records held in a peer network that knows the
// patient, below this network's, under the network's name (each row names its facility).
function peerSection(container, tab, ctx, peer) {
  if (!PEER_TABS.has(tab.id) || !container.isConnected) return;
  const inner = h('div', { class: 'peer-records-body' });
  container.appendChild(h('section', {
    class: 'peer-records', 'data-testid': 'peer-records', 'data-community': peer.home_community_id },
  h('h2', { class: 'peer-records-title' }, t('patient.peer_records', { network: peer.name })),
  inner));
  tab.render(inner, { ...ctx, base: `/api/v1/persons/${seg(ctx.personId)}/communities/${seg(peer.home_community_id)}` });
}

function headerView(person, allowed) {
  const allergies = (person.allergies || []).map(allergy);
  return h('section', { class: 'patient-header', 'data-testid': 'patient-header' },
    h('div', { class: 'ph-main' },
      h('h1', { class: 'ph-name' },
        h('span', { class: 'kanji', 'data-testid': 'patient-name' }, person.name_kanji || ''),
        h('span', { class: 'kana' }, person.name_kana || '')),
      h('div', { class: 'ph-demo' },
        h('span', { class: ['sex', `sex-${person.sex}`] }, sexLabel(person.sex)),
        h('span', { class: 'birth' }, formatBirthDate(person.birth_date)))),
    h('div', { class: 'ph-ids' },
      h('span', { class: 'ph-label' }, t('patient.ids')),
      h('ul', { class: 'ids' }, (person.identifiers || []).map((i) =>
        h('li', { class: ['fac-tag', facilityClass(i.facility_oid)] }, `${i.facility_name || i.facility_oid} ${i.local_id}`)))),
    visitsView(person),
    h('div', { class: 'ph-peers-slot', 'data-testid': 'patient-peers-slot' }),
    // "No allergies recorded" only when this user may see allergies at all: otherwise the
    // absence says nothing about the patient.
    !allowed.has('allergies') && allergies.length === 0 ? null : h('div', {
      class: ['ph-allergies', allergies.length && 'has-allergies', (person.missing || []).length && 'incomplete'], 'data-testid': 'patient-allergies' },
      h('span', { class: 'ph-label' }, t('patient.allergies')),
      allergies.length
        ? h('ul', {}, allergies.map((a) => h('li', { class: 'allergy' }, [a.allergen?.name, a.reaction ? `（${a.reaction}）` : ''].join(''))))
        : null,
      // A facility that did not answer may hold an allergy: never say "none" then.
      (person.missing || []).length
        ? h('span', { class: 'allergy-unknown', 'data-testid': 'allergies-incomplete' }, t('patient.allergies_incomplete'))
        : allergies.length ? null : h('span', { class: 'none' }, t('patient.no_allergies'))));
}

export async function render(main, ctx) {
  const personId = ctx.personId;
  if (!cached || cached.id !== personId) replace(main, loading());
  let person;
  try {
    person = await loadPerson(personId);
  } catch (e) {
    replace(main, h('div', { class: 'page' }, h('a', { href: '#/patients', class: 'back' }, t('patient.back')), errorBox(e)));
    return;
  }
  resetFacilityColours([...(person.identifiers || []).map((i) => i.facility_oid), ...(person.facilities || []).map((f) => f.oid)]
    .filter((v, i, a) => a.indexOf(v) === i));
  const allowed = allowedCategories(person);
  const visible = TABS.filter((tab) => allowed.has(tab.id));
  const current = visible.find((tab) => tab.id === ctx.tab) || visible[0];
  const tabBar = h('nav', { class: 'tabs', role: 'tablist', 'aria-label': t('patient.sections') },
    visible.map((tab) => h('a', {
      href: `#/patients/${seg(personId)}/${tab.id}`, role: 'tab', class: ['tab', tab === current && 'active'],
      'aria-selected': tab === current ? 'true' : 'false', 'data-tab': tab.id,
    }, t(`tab.${tab.id}`))));
  const panel = h('section', { class: 'tab-panel', role: 'tabpanel', 'data-testid': 'tab-panel' });
  const peerRecords = h('div', { class: 'peer-records-slot' });
  replace(main, h('div', { class: 'page patient-page' },
    h('a', { href: '#/patients', class: 'back' }, t('patient.back')),
    missingBanner(person.missing),
    preservedBanner(person.facilities),
    headerView(person, allowed),
    tabBar,
    panel,
    peerRecords));
  if (!current) {
    panel.appendChild(h('p', { class: 'empty' }, t('tab.none')));
    return;
  }
  const tabCtx = { ...ctx, person, personId, base: `/api/v1/persons/${seg(personId)}` };
  const peerSlot = main.querySelector('.ph-peers-slot');
  if (peerSlot) fillPeers(peerSlot, personId, (peer) => peerSection(peerRecords, current, tabCtx, peer));
  panel.dataset.tab = current.id;
  await current.render(panel, tabCtx);
}
