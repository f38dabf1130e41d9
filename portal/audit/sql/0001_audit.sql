-- The audit log: append-only and hash-chained. Each record's hash is SHA-256 over a
-- canonical serialisation of its fields including the previous record's hash
-- (portal/audit/audit_record.hpp), so altering, removing or inserting a record breaks the
-- chain at that seq. audit_chain_head holds the last seq and hash; appenders lock it
-- (SELECT ... FOR UPDATE), so any number of portal processes on one database extend one
-- chain with no gaps. This migration is self-contained (no hpd helpers) so that
-- hareyaka-audit-verify needs nothing else.
CREATE TABLE audit_log (
  seq               bigint PRIMARY KEY,
  at                timestamptz NOT NULL,
  event_type        text NOT NULL,
  outcome           text NOT NULL,
  actor_user        text NOT NULL DEFAULT '',
  actor_profession  text NOT NULL DEFAULT '',
  actor_facility    text NOT NULL DEFAULT '',
  person_id         text NOT NULL DEFAULT '',
  patient_authority text NOT NULL DEFAULT '',
  patient_local_id  text NOT NULL DEFAULT '',
  source_facility   text NOT NULL DEFAULT '',
  category          text NOT NULL DEFAULT '',
  reason            text NOT NULL DEFAULT '',
  detail            text NOT NULL DEFAULT '',
  request_id        text NOT NULL DEFAULT '',
  prev_hash         text NOT NULL,
  hash              text NOT NULL
);
-- Per-patient access report and audit search, newest first.
CREATE INDEX audit_log_patient ON audit_log (patient_authority, patient_local_id, seq)
  WHERE patient_local_id <> '';
CREATE INDEX audit_log_person ON audit_log (person_id, seq) WHERE person_id <> '';
CREATE INDEX audit_log_actor ON audit_log (actor_user, seq);
CREATE INDEX audit_log_actor_facility ON audit_log (actor_facility, seq);
-- Appended in time order: a BRIN index keeps time-range searches cheap at any size.
CREATE INDEX audit_log_at ON audit_log USING brin (at);

CREATE TABLE audit_chain_head (
  id   integer PRIMARY KEY CHECK (id = 1),
  seq  bigint NOT NULL,
  hash text NOT NULL
);
INSERT INTO audit_chain_head VALUES (1, 0, repeat('0', 64));

CREATE FUNCTION audit_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit log is append-only: % on % rejected', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_reject_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_change();
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC;

-- The head only moves forward, one record at a time.
CREATE FUNCTION audit_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'UPDATE' OR NEW.seq <> OLD.seq + 1 THEN
    RAISE EXCEPTION 'audit chain head only advances by one'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER audit_chain_head_forward BEFORE UPDATE OR DELETE ON audit_chain_head
  FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only();

-- Where each exporter (the ATNA syslog sender) stopped. The local log is written first and
-- the exporter reads after its cursor, so a collector outage delays export, never loses.
CREATE TABLE audit_export_cursor (
  exporter   text PRIMARY KEY,
  last_seq   bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
