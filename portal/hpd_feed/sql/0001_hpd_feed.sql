-- The portal as an HPD feed source (ITI-59 to connected systems) and the directory version
-- gateways pull from.
--
-- directory_changes: one row per change of a facility or user attribute that leaves the
-- portal (not credentials, not lockout counters), written by triggers in the transaction of
-- the change, whatever made it (admin console, ITI-59, CSV import, bootstrap). Its version is
-- taken under a transaction-scoped advisory lock, so versions are handed out in commit order:
-- a reader that sees version N has seen every version below N (what an incremental pull
-- with since=<version> needs). Directory changes are rare; serialising them costs little. Two
-- writers of several rows each can deadlock on a row lock against this lock; PostgreSQL
-- detects it and pg::transact runs the loser again.
CREATE TABLE hpd_connected_systems (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name            text NOT NULL UNIQUE,
  url             text NOT NULL,
  enabled         boolean NOT NULL DEFAULT true,
  failures        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_success_at timestamptz,
  last_error      text NOT NULL DEFAULT '',
  last_error_at   timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE directory_changes (
  version    bigint PRIMARY KEY,
  entity     text NOT NULL CHECK (entity IN ('facility', 'user')),
  entity_key text NOT NULL,  -- facility OID or user login id
  op         text NOT NULL CHECK (op IN ('add', 'modify', 'delete')),
  changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE SEQUENCE directory_version_seq;

-- A row per change per connected system (disabled ones too: disabling pauses delivery, it
-- does not drop changes). The sender deletes a row when the system has answered success.
CREATE TABLE hpd_feed_outbox (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  system_id   bigint NOT NULL REFERENCES hpd_connected_systems (id) ON DELETE CASCADE,
  version     bigint NOT NULL,
  entity      text NOT NULL,
  entity_key  text NOT NULL,
  op          text NOT NULL CHECK (op IN ('add', 'modify', 'delete')),
  enqueued_at timestamptz NOT NULL DEFAULT now(),
  attempts    integer NOT NULL DEFAULT 0
);
CREATE INDEX hpd_feed_outbox_system ON hpd_feed_outbox (system_id, id);

CREATE FUNCTION hy_directory_change(p_entity text, p_key text, p_op text) RETURNS void
  LANGUAGE plpgsql AS $$
DECLARE
  v bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(7242019001);
  v := nextval('directory_version_seq');
  INSERT INTO directory_changes (version, entity, entity_key, op) VALUES (v, p_entity, p_key, p_op);
  INSERT INTO hpd_feed_outbox (system_id, version, entity, entity_key, op)
    SELECT id, v, p_entity, p_key, p_op FROM hpd_connected_systems;
END $$;

CREATE FUNCTION hy_facility_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM hy_directory_change('facility', NEW.oid, 'add');
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM hy_directory_change('facility', OLD.oid, 'delete');
  ELSIF (OLD.name_kanji, OLD.name_kana, OLD.name_en, OLD.kind, OLD.municipality_code,
         OLD.discloses, OLD.views, OLD.gateway_url, OLD.status)
        IS DISTINCT FROM
        (NEW.name_kanji, NEW.name_kana, NEW.name_en, NEW.kind, NEW.municipality_code,
         NEW.discloses, NEW.views, NEW.gateway_url, NEW.status) THEN
    PERFORM hy_directory_change('facility', NEW.oid, 'modify');
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION hy_user_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM hy_directory_change('user', NEW.login_id, 'add');
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM hy_directory_change('user', OLD.login_id, 'delete');
  ELSIF (OLD.facility_oid, OLD.profession, OLD.display_name, OLD.status, OLD.hpki_issuer,
         OLD.hpki_serial, OLD.hpki_subject)
        IS DISTINCT FROM
        (NEW.facility_oid, NEW.profession, NEW.display_name, NEW.status, NEW.hpki_issuer,
         NEW.hpki_serial, NEW.hpki_subject) THEN
    PERFORM hy_directory_change('user', NEW.login_id, 'modify');
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER facilities_directory_change AFTER INSERT OR UPDATE OR DELETE ON facilities
  FOR EACH ROW EXECUTE FUNCTION hy_facility_changed();
CREATE TRIGGER users_directory_change AFTER INSERT OR UPDATE OR DELETE ON users
  FOR EACH ROW EXECUTE FUNCTION hy_user_changed();

-- What existed before this migration is the directory's first version.
SELECT hy_directory_change('facility', oid, 'add') FROM (SELECT oid FROM facilities ORDER BY oid) f;
SELECT hy_directory_change('user', login_id, 'add') FROM (SELECT login_id FROM users ORDER BY id) u;
