// 文書: the person's documents, fetched as data (the portal serves them as attachments with
// a sandbox policy, so opening a document's URL directly downloads it and never renders it
// in the portal's origin). PDFs are shown from a blob URL (the portal's CSP allows
// frame-src blob:), raster images likewise; HL7 CDA R2 XML is parsed with DOMParser and
// rebuilt as plain DOM nodes from a fixed list of narrative elements, and any other XML
// (XHTML, SVG) is shown as its text, so nothing in a document can run script, load a
// resource or style the page. SVG is not shown as an image: a blob URL has the portal's
// origin, and an SVG opened from it would be a document with script.

import { h, replace } from '../dom.js';
import { t, formatDate, formatDateTime, formatSize } from '../i18n.js';
import { request, seg } from '../api.js';
import { errorBox, loading, facilityTag, facilityClass, table, appendRows } from '../ui.js';
import { envelopeView, envOptions } from './tabs.js';
import * as norm from '../normalize.js';

const CDA_NS = 'urn:hl7-org:v3';
const RASTER_IMAGES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/bmp'];
let currentBlobUrl = null;

export function render(panel, ctx) {
  const viewer = h('div', { class: 'doc-viewer', 'data-testid': 'doc-viewer' });
  let tbody = null;
  const columns = [
    { label: t('doc.created_at'), render: (d) => formatDateTime(d.created_at) },
    { label: t('doc.title'), class: 'col-title', render: (d) => h('button', { type: 'button', class: 'link doc-open', onclick: () => openDocument(viewer, ctx, d) }, d.title || d.document_id) },
    { label: t('doc.kind'), render: (d) => d.kind || '' },
    { label: t('doc.size'), class: 'num', render: (d) => formatSize(d.size) },
    { label: t('common.facility'), render: facilityTag },
  ];
  return envelopeView(panel, `${ctx.base}/documents`, (items, body, first) => {
    if (first) {
      const wrap = table(columns, [], { class: 'documents' });
      tbody = wrap.querySelector('tbody');
      replace(body, wrap, viewer);
    }
    appendRows(tbody, columns, items, { rowClass: (r) => facilityClass(r.facility_oid) });
  }, envOptions(ctx, { normalize: norm.document_ }));
}

async function openDocument(viewer, ctx, doc) {
  replace(viewer, loading());
  if (currentBlobUrl) {
    URL.revokeObjectURL(currentBlobUrl);
    currentBlobUrl = null;
  }
  try {
    const res = await request('GET', `${ctx.base}/documents/${seg(doc.facility_oid)}/${seg(doc.document_id)}`, { raw: true, accept: '*/*' });
    const type = (res.headers.get('Content-Type') || doc.content_type || '').split(';')[0].trim().toLowerCase();
    const heading = h('h3', { class: 'doc-heading' }, doc.title || '', ' ', facilityTag(doc));
    if (type === 'application/pdf') {
      // The blob's type is fixed here, whatever the body is: Chromium's PDF viewer or nothing.
      currentBlobUrl = URL.createObjectURL(new Blob([await res.arrayBuffer()], { type: 'application/pdf' }));
      replace(viewer, heading, h('iframe', { class: 'pdf-frame', src: currentBlobUrl, title: doc.title || 'PDF', 'data-testid': 'pdf-frame' }));
    } else if (RASTER_IMAGES.includes(type)) {
      currentBlobUrl = URL.createObjectURL(new Blob([await res.arrayBuffer()], { type }));
      replace(viewer, heading, h('img', { class: 'doc-image', src: currentBlobUrl, alt: doc.title || '' }));
    } else if (type === 'text/xml' || type === 'application/xml' || type.endsWith('+xml')) {
      replace(viewer, heading, renderCda(await res.text()));
    } else if (type === 'text/plain') {
      replace(viewer, heading, h('pre', { class: 'doc-text' }, await res.text()));
    } else {
      replace(viewer, heading, h('p', { class: 'empty' }, t('doc.unsupported', { type: type || '?' })));
    }
    viewer.scrollIntoView({ block: 'start', behavior: 'smooth' });
  } catch (e) {
    replace(viewer, errorBox(e));
  }
}

// ---- CDA ---------------------------------------------------------------------------------

function kids(el, name) {
  return [...el.children].filter((c) => c.namespaceURI === CDA_NS && c.localName === name);
}
function kid(el, name) {
  return el ? kids(el, name)[0] || null : null;
}
function path(el, ...names) {
  let cur = el;
  for (const n of names) {
    cur = kid(cur, n);
    if (!cur) return null;
  }
  return cur;
}

function personName(nameEl) {
  if (!nameEl) return '';
  const parts = [...nameEl.children].filter((c) => ['family', 'given'].includes(c.localName)).map((c) => c.textContent.trim());
  return parts.length ? parts.join(' ') : nameEl.textContent.trim();
}

// HL7 TS "20261120103000+0900" → ISO for formatting.
export function cdaTime(v) {
  const m = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?/.exec(v || '');
  if (!m) return '';
  if (!m[4]) return `${m[1]}-${m[2] || '01'}-${m[3] || '01'}`;
  const zone = /([+-])(\d{2})(\d{2})$/.exec(v);
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5] || '00'}:00${zone ? `${zone[1]}${zone[2]}:${zone[3]}` : '+09:00'}`;
}

const NARRATIVE = {
  paragraph: 'p', caption: 'caption', table: 'table', thead: 'thead', tbody: 'tbody', tfoot: 'tfoot',
  tr: 'tr', th: 'th', td: 'td', sub: 'sub', sup: 'sup', br: 'br', footnote: 'small', footnoteRef: 'sup',
  content: 'span', linkHtml: 'span', col: null, colgroup: null, renderMultiMedia: null,
  script: null, style: null, object: null, embed: null, iframe: null,
};

// Narrative block → DOM nodes. Only text and a fixed set of elements survive; attributes
// other than colspan/rowspan and a bold/italic/underline styleCode are dropped.
function narrative(node) {
  if (node.nodeType === Node.TEXT_NODE || node.nodeType === Node.CDATA_SECTION_NODE) return document.createTextNode(node.nodeValue);
  if (node.nodeType !== Node.ELEMENT_NODE) return null;
  const name = node.localName;
  let out;
  if (name === 'list') {
    out = document.createElement(node.getAttribute('listType') === 'ordered' ? 'ol' : 'ul');
  } else if (name === 'item') {
    out = document.createElement('li');
  } else if (name in NARRATIVE) {
    if (NARRATIVE[name] === null) return null;
    out = document.createElement(NARRATIVE[name]);
  } else {
    out = document.createElement('span');
  }
  if (name === 'td' || name === 'th') {
    for (const a of ['colspan', 'rowspan']) {
      const v = node.getAttribute(a);
      if (v && /^\d{1,2}$/.test(v)) out.setAttribute(a, v);
    }
  }
  const style = node.getAttribute('styleCode') || '';
  if (/\bBold\b/.test(style)) out.classList.add('cda-bold');
  if (/\bItalics\b/.test(style)) out.classList.add('cda-italic');
  if (/\bUnderline\b/.test(style)) out.classList.add('cda-underline');
  if (name === 'table') out.classList.add('data');
  if (name === 'br') return out;
  for (const c of node.childNodes) {
    const n = narrative(c);
    if (n) out.appendChild(n);
  }
  return out;
}

function section(sec, depth) {
  const out = h('section', { class: 'cda-section' });
  const title = kid(sec, 'title');
  if (title) out.appendChild(h(depth <= 1 ? 'h4' : 'h5', {}, title.textContent.trim()));
  const text = kid(sec, 'text');
  if (text) {
    const div = h('div', { class: 'cda-text' });
    for (const c of text.childNodes) {
      const n = narrative(c);
      if (n) div.appendChild(n);
    }
    out.appendChild(div);
  }
  for (const comp of kids(sec, 'component')) {
    const s = kid(comp, 'section');
    if (s) out.appendChild(section(s, depth + 1));
  }
  return out;
}

export function renderCda(xmlText) {
  const doc = new DOMParser().parseFromString(xmlText, 'application/xml');
  const root = doc.documentElement;
  if (!root || root.localName === 'parsererror' || doc.getElementsByTagName('parsererror').length) {
    return h('div', { class: 'alert alert-error', role: 'alert' }, t('doc.cda_invalid'));
  }
  if (root.namespaceURI !== CDA_NS || root.localName !== 'ClinicalDocument') {
    return h('pre', { class: 'doc-text' }, root.textContent.trim());
  }
  const title = kid(root, 'title')?.textContent.trim() || '';
  const time = cdaTime(kid(root, 'effectiveTime')?.getAttribute('value'));
  const patient = personName(path(root, 'recordTarget', 'patientRole', 'patient', 'name'));
  const authorEl = path(root, 'author', 'assignedAuthor');
  const author = [personName(path(authorEl, 'assignedPerson', 'name')), path(authorEl, 'representedOrganization', 'name')?.textContent.trim()]
    .filter(Boolean).join(' / ');
  const out = h('article', { class: 'cda', 'data-testid': 'cda' },
    title ? h('h3', { class: 'cda-title' }, title) : null,
    h('dl', { class: 'cda-meta' },
      patient ? [h('dt', {}, t('doc.cda_patient')), h('dd', {}, patient)] : null,
      time ? [h('dt', {}, t('doc.cda_date')), h('dd', {}, /T/.test(time) ? formatDateTime(time) : formatDate(time))] : null,
      author ? [h('dt', {}, t('doc.cda_author')), h('dd', {}, author)] : null));
  const body = path(root, 'component', 'structuredBody');
  if (body) {
    for (const comp of kids(body, 'component')) {
      const s = kid(comp, 'section');
      if (s) out.appendChild(section(s, 1));
    }
  } else {
    const nx = path(root, 'component', 'nonXMLBody', 'text');
    if (nx && (nx.getAttribute('mediaType') || 'text/plain') === 'text/plain' && nx.getAttribute('representation') !== 'B64') {
      out.appendChild(h('pre', { class: 'doc-text' }, nx.textContent));
    } else if (nx) {
      out.appendChild(h('p', { class: 'empty' }, t('doc.unsupported', { type: nx.getAttribute('mediaType') || '?' })));
    }
  }
  return out;
}
