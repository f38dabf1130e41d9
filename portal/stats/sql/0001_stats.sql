-- Usage statistics: daily rollups of the audit chain (portal/stats/stats_rollup.hpp).
-- One row per Japan-time day, category, viewing facility, disclosing facility and patient,
-- with the number of successful views. Keeping the patient in the key costs rows but makes
-- the distinct-patient count of any period exact (daily distinct counts do not add up), and
-- that count is what small-cell suppression (< 10 patients) is decided on. The rows hold
-- no more than the audit log does, and are readable only through the statistics routes.
CREATE TABLE stats_view_day (
  day             date NOT NULL,
  category        text NOT NULL,
  viewer_facility text NOT NULL,
  source_facility text NOT NULL,
  patient         text NOT NULL,  -- the PIX person id, or authority^local_id without one
  views           bigint NOT NULL CHECK (views > 0),
  PRIMARY KEY (day, category, viewer_facility, source_facility, patient)
);
-- "Actively shared" patients: distinct patients over the last 90 days.
CREATE INDEX stats_view_day_patient ON stats_view_day (day, patient);

-- Successful views per category since the first record, kept with the daily rows for the
-- Prometheus counters (hareyaka_stats_views_total), so a scrape never sums the whole table.
CREATE TABLE stats_view_totals (
  category text PRIMARY KEY,
  views    bigint NOT NULL
);

-- How far the rollup has read the chain. Every rollup step locks this row (FOR UPDATE)
-- and moves it in the same transaction as the rows it adds, so two portals on one
-- database take turns and never count a record twice.
CREATE TABLE stats_rollup_cursor (
  id         integer PRIMARY KEY CHECK (id = 1),
  last_seq   bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO stats_rollup_cursor VALUES (1, 0, now());
