-- "Actively shared" patients (viewed in the 90 days to a day) for the days reports end on:
-- yesterday and the last day of each of the twelve months before, counted once by the rollup
-- instead of on every read (a distinct count over 90 days of daily rows: seconds at 10
-- million audit records). A batch with views of a day at or before a kept day drops that
-- row (generated or imported records may be dated in the past); the next rollup recounts it.
CREATE TABLE stats_active_day (
  day         date PRIMARY KEY,
  patients    bigint NOT NULL,
  computed_at timestamptz NOT NULL DEFAULT now()
);
