-- Report cells by month, kept exact incrementally so that a page reads a few hundred rows,
-- not one row per day, category, facility pair and patient (docs/performance.md, #21).
-- section 'category' (k1 = category), 'viewer' (k1 = the viewing facility's kind, k2 its
-- municipality, as they were when the views were rolled up) and 'source' (k1 = the
-- disclosing facility's OID). A patient is counted once per month and cell: the first time
-- the rollup meets it there it enters stats_month_patient and the cell's `patients` grows.
CREATE TABLE stats_month_cell (
  month    date NOT NULL,  -- the first day of a Japan month
  section  text NOT NULL,
  k1       text NOT NULL,
  k2       text NOT NULL,
  views    bigint NOT NULL,
  patients bigint NOT NULL,
  PRIMARY KEY (month, section, k1, k2)
);
CREATE TABLE stats_month_patient (
  month   date NOT NULL,
  section text NOT NULL,
  k1      text NOT NULL,
  k2      text NOT NULL,
  patient text NOT NULL,
  PRIMARY KEY (month, section, k1, k2, patient)
);
-- The last Japan day each patient's records were viewed: "actively shared" patients of a
-- period ending today are those with a last day in its last 90 days (an index range count).
CREATE TABLE stats_patient_last (
  patient  text PRIMARY KEY,
  last_day date NOT NULL
);
CREATE INDEX stats_patient_last_day ON stats_patient_last (last_day);

-- What is already rolled up.
INSERT INTO stats_month_patient (month, section, k1, k2, patient)
SELECT DISTINCT date_trunc('month', v.day)::date, s.section, s.k1, s.k2, v.patient
FROM stats_view_day v LEFT JOIN facilities f ON f.oid = v.viewer_facility,
     LATERAL (VALUES ('category', v.category, ''),
                     ('viewer', coalesce(f.kind, ''), coalesce(f.municipality_code, '')),
                     ('source', v.source_facility, '')) AS s(section, k1, k2);
INSERT INTO stats_month_cell (month, section, k1, k2, views, patients)
SELECT m.month, m.section, m.k1, m.k2, m.views, p.patients
FROM (SELECT date_trunc('month', v.day)::date AS month, s.section, s.k1, s.k2,
             sum(v.views) AS views
      FROM stats_view_day v LEFT JOIN facilities f ON f.oid = v.viewer_facility,
           LATERAL (VALUES ('category', v.category, ''),
                           ('viewer', coalesce(f.kind, ''), coalesce(f.municipality_code, '')),
                           ('source', v.source_facility, '')) AS s(section, k1, k2)
      GROUP BY 1, 2, 3, 4) m
JOIN (SELECT month, section, k1, k2, count(*) AS patients FROM stats_month_patient
      GROUP BY 1, 2, 3, 4) p USING (month, section, k1, k2);
INSERT INTO stats_patient_last (patient, last_day)
SELECT patient, max(day) FROM stats_view_day GROUP BY 1;
