-- Consents, the role policy and their histories. Needs the hpd migrations (facilities,
-- hy_ts/hy_us) applied first.

-- A patient, as registered at disclosing facility source_facility under
-- (patient_authority, patient_local_id), allows viewer_facility (NULL: every participating
-- facility) to see the categories in scope (NULL: all) from starts_at until expires_at
-- (NULL: no end) unless withdrawn. Rows are never deleted; withdrawal is a timestamp.
CREATE TABLE consents (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  patient_authority text NOT NULL,
  patient_local_id  text NOT NULL,
  person_id         text,
  source_facility   text NOT NULL REFERENCES facilities (oid),
  viewer_facility   text REFERENCES facilities (oid),
  viewer_key        text GENERATED ALWAYS AS (coalesce(viewer_facility, '*')) STORED,
  scope             text[],
  starts_at         timestamptz NOT NULL,
  expires_at        timestamptz,
  withdrawn_at      timestamptz,
  withdrawn_by      text,
  withdrawal_reason text,
  registered_by     text NOT NULL,
  document_ref      text NOT NULL DEFAULT '',
  created_at        timestamptz NOT NULL,
  CHECK (expires_at IS NULL OR expires_at > starts_at),
  CHECK (scope IS NULL OR cardinality(scope) > 0)
);
-- decide(): every consent of one patient (a handful of rows).
CREATE INDEX consents_patient ON consents (patient_authority, patient_local_id, source_facility);
-- list_visible_patients() and the search predicate: the live consents of one viewer, in
-- patient order, so keyset paging and per-row EXISTS probes are index scans.
CREATE INDEX consents_viewer ON consents (viewer_key, patient_authority, patient_local_id)
  WHERE withdrawn_at IS NULL;

CREATE TABLE consent_history (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  consent_id bigint NOT NULL REFERENCES consents (id),
  action     text NOT NULL CHECK (action IN ('given', 'withdrawn')),
  at         timestamptz NOT NULL,
  actor      text NOT NULL,
  detail     text NOT NULL DEFAULT ''
);
CREATE INDEX consent_history_consent ON consent_history (consent_id, id);

-- True when some live consent lets viewing facility `viewer` list the patient
-- (authority, local_id) at time `at`. A patient list or person search joins against this
-- (WHERE consent_visible($viewer, $now, p.authority, p.local_id)): it is an index probe per
-- candidate row, so the filter happens in SQL, before paging, never after.
CREATE FUNCTION consent_visible(p_viewer text, p_at timestamptz, p_authority text,
                                p_local_id text)
  RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE
  AS $$
    SELECT EXISTS (
      SELECT 1 FROM consents c
      WHERE c.viewer_key IN (p_viewer, '*')
        AND c.patient_authority = p_authority AND c.patient_local_id = p_local_id
        AND c.withdrawn_at IS NULL AND c.starts_at <= p_at
        AND (c.expires_at IS NULL OR c.expires_at > p_at))
  $$;

-- Profession x facility kind x category -> allowed. Every cell has a row; a missing row
-- denies (decide() is default deny). Seeded with the default matrix documented in
-- consent/default_policy.hpp (a test asserts the two agree cell by cell).
CREATE TABLE access_policy (
  profession    text NOT NULL,
  facility_kind text NOT NULL,
  category      text NOT NULL,
  allowed       boolean NOT NULL,
  updated_by    text NOT NULL DEFAULT 'default',
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (profession, facility_kind, category)
);

CREATE TABLE access_policy_changes (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  profession    text NOT NULL,
  facility_kind text NOT NULL,
  category      text NOT NULL,
  allowed       boolean NOT NULL,
  changed_by    text NOT NULL,
  changed_at    timestamptz NOT NULL
);

WITH
all_cats(c) AS (VALUES ('encounters'), ('diagnoses'), ('prescriptions'), ('injections'),
  ('allergies'), ('lab_results'), ('imaging'), ('reports'), ('documents'), ('demographics')),
prof(p, cats) AS (VALUES
  ('doctor', NULL::text[]),
  ('dentist', NULL),
  ('pharmacist', ARRAY['diagnoses', 'prescriptions', 'injections', 'allergies', 'lab_results',
                       'demographics']),
  ('nurse', ARRAY['encounters', 'diagnoses', 'prescriptions', 'injections', 'allergies',
                  'lab_results', 'reports', 'documents', 'demographics']),
  ('midwife', ARRAY['encounters', 'diagnoses', 'prescriptions', 'injections', 'allergies',
                    'lab_results', 'reports', 'documents', 'demographics']),
  ('public_health_nurse', ARRAY['encounters', 'diagnoses', 'prescriptions', 'allergies',
                                'lab_results', 'demographics']),
  ('therapist', ARRAY['encounters', 'diagnoses', 'allergies', 'reports', 'documents',
                      'demographics']),
  ('care_manager', ARRAY['encounters', 'diagnoses', 'prescriptions', 'allergies',
                         'demographics']),
  ('clerk', ARRAY['demographics']),
  ('secretariat_admin', ARRAY[]::text[])),
kind(k, cats) AS (VALUES
  ('hospital', NULL::text[]),
  ('clinic', NULL),
  ('dental_clinic', NULL),
  ('pharmacy', ARRAY['diagnoses', 'prescriptions', 'allergies', 'demographics']),
  ('home_visit_nursing', NULL),
  ('care_facility', NULL))
INSERT INTO access_policy (profession, facility_kind, category, allowed)
SELECT prof.p, kind.k, all_cats.c,
       (prof.cats IS NULL OR all_cats.c = ANY (prof.cats)) AND
       (kind.cats IS NULL OR all_cats.c = ANY (kind.cats))
FROM prof CROSS JOIN kind CROSS JOIN all_cats;
