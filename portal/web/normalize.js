// Items arrive either in the flat shapes of docs/api.md or, passed through from a gateway,
// in the clinical model's JSON (proto/clinical/model_json.cpp: Code {code, display,
// system}, Quantity {value, unit: Code}, LabResult with nested Observation items, ADT
// events as encounters). These functions turn the latter into the former so each tab has
// one shape to render; items already in api.md shape pass through unchanged.

export function codeText(c) {
  if (c === null || c === undefined) return '';
  if (typeof c === 'string' || typeof c === 'number') return String(c);
  return c.name || c.display || c.alt_display || c.code || c.alt_code || '';
}

function code(c) {
  if (!c || typeof c !== 'object') return c ? { code: '', system: '', name: String(c) } : null;
  return { code: c.code || c.alt_code || '', system: c.system || c.alt_system || '', name: codeText(c) };
}

function quantity(q) {
  if (!q || typeof q !== 'object') return null;
  if (q.value === undefined || q.value === null || q.value === '') return null;
  return { value: q.value, unit: codeText(q.unit) };
}

function personName(p) {
  if (!p) return '';
  if (typeof p === 'string') return p;
  return [p.family, p.given].filter(Boolean).join(' ') || p.id || '';
}

function origin(x) {
  // preserved: from a disaster standby (docs/api.md "Preserved copies"), shown by facilityTag.
  return { facility_oid: x.facility_oid, facility_name: x.facility_name, ...(x.preserved ? { preserved: x.preserved } : {}) };
}

// ADT event kinds (proto/ssmix2 encounter_kind) → the timeline's three visit kinds.
const EVENT_KIND = {
  outpatient_visit: 'outpatient', admission: 'inpatient', admission_planned: 'inpatient',
  discharge: 'inpatient', discharge_planned: 'inpatient', transfer: 'inpatient', transfer_planned: 'inpatient',
  leave_of_absence: 'inpatient', return_from_leave: 'inpatient', attending_doctor_change: 'inpatient',
};

export function encounter(e) {
  if (!e || 'start' in e || !('event_at' in e || 'admitted_at' in e || 'patient_class' in e)) return e;
  return {
    ...origin(e),
    kind: EVENT_KIND[e.kind] || (e.patient_class === 'E' ? 'emergency' : e.patient_class === 'I' ? 'inpatient' : 'outpatient'),
    event: e.kind,
    start: e.admitted_at || e.event_at || e.date || '',
    end: e.discharged_at || '',
    department: code(e.department),
    doctor: personName(e.attending_doctor),
    ward: e.location?.ward || '',
    cancelled: !!e.cancelled,
  };
}

export function diagnosis(d) {
  if (!d || typeof d.name !== 'object' || d.name === null) return d;
  return {
    ...origin(d),
    name: codeText(d.name),
    code: code(d.name),
    icd10: d.icd10?.code || codeText(d.icd10),
    main: !!d.main,
    start: d.established || d.onset || '',
    end: d.resolved || '',
    outcome: codeText(d.outcome),
    suspected: !!d.suspected,
  };
}

export function prescription(r) {
  if (!r || 'ordered_at' in r || !('date' in r || 'rp' in r)) return r;
  return {
    ...origin(r),
    ordered_at: r.date || r.start || '',
    drug: code(r.drug),
    dose: quantity(r.dose),
    usage: code(r.usage),
    days: r.days || '',
    total: quantity(r.dispense),
    route: codeText(r.route),
  };
}

export function injection(r) {
  if (!r || 'administered_at' in r || !('components' in r || 'group' in r)) return r;
  const drugs = (r.components || []).map((c) => {
    const amount = quantity(c.amount);
    return [codeText(c.drug), amount ? `${amount.value}${amount.unit}` : ''].filter(Boolean).join(' ');
  }).filter(Boolean);
  return {
    ...origin(r),
    ordered_at: r.start || '',
    administered_at: r.start || '',
    drug: { code: '', system: '', name: drugs.join(' + ') || codeText(r.kind) },
    dose: quantity(r.amount),
    usage: { code: '', name: r.instructions || codeText(r.device) },
    total: quantity(r.amount),
    route: codeText(r.route),
  };
}

export function allergy(a) {
  if (!a || !('type' in a) || 'kind' in a) return a;
  return {
    ...origin(a),
    kind: codeText(a.type),
    allergen: code(a.allergen),
    severity: codeText(a.severity),
    reaction: a.reaction || '',
  };
}

// "3.3-8.6", "3.3〜8.6", "<0.5", ">=40" → {low, high, text}
export function parseRange(s) {
  if (s && typeof s === 'object') return s;
  const text = String(s || '').trim();
  let m = /^(-?\d+(?:\.\d+)?)\s*[-–〜~]\s*(-?\d+(?:\.\d+)?)$/.exec(text);
  if (m) return { low: m[1], high: m[2], text: '' };
  m = /^(<=?|≦|以下)\s*(-?\d+(?:\.\d+)?)$/.exec(text);
  if (m) return { low: '', high: m[2], text };
  m = /^(>=?|≧|以上)\s*(-?\d+(?:\.\d+)?)$/.exec(text);
  if (m) return { low: m[2], high: '', text };
  return { low: '', high: '', text };
}

function flagOf(flags) {
  const f = (Array.isArray(flags) ? flags : [flags]).map((x) => String(x || '').toUpperCase());
  if (f.some((x) => x === 'H' || x === 'HH' || x === '>')) return 'H';
  if (f.some((x) => x === 'L' || x === 'LL' || x === '<')) return 'L';
  if (f.includes('N')) return 'N';
  return '';
}

// One LabResult of the model (a specimen with its observations) → one row per observation.
export function labResults(r) {
  if (!r || !Array.isArray(r.items)) return [r];
  return r.items.map((o) => ({
    ...origin(r),
    collected_at: r.collected_at || o.observed_at || '',
    item: code(o.code),
    value: o.value !== undefined && o.value !== '' ? o.value : codeText(o.value_code),
    unit: codeText(o.unit),
    range: parseRange(o.range),
    flag: flagOf(o.flags),
    specimen: codeText(r.specimen),
  }));
}

export function study(s) {
  if (!s || 'performed_at' in s || !('study_uids' in s || 'procedures' in s)) return s;
  return {
    ...origin(s),
    performed_at: s.date || s.reported_at || '',
    modality: codeText(s.modality),
    description: (s.procedures || []).map((p) => codeText(p.code)).filter(Boolean).join('、'),
    study_uid: (s.study_uids || [])[0] || '',
    report_text: (s.observations || []).map((o) => o.value || codeText(o.value_code)).filter(Boolean).join('\n'),
    kind: s.report_kind || s.category || 'radiology',
  };
}

export function document_(d) {
  if (!d || 'document_id' in d || !('id' in d)) return d;
  return {
    ...origin(d),
    document_id: d.id,
    title: codeText(d.type) || d.file || d.id,
    kind: d.type?.code || '',
    created_at: d.date || '',
    content_type: d.media_type || '',
    size: d.size,
  };
}
