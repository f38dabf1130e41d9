-- Disaster declarations (issue #20, emergency mode): while one is in force for a facility,
-- the viewer fetches that facility's records from a standby gateway (an ordinary
-- hareyaka-gateway with the same facility OID, its storage restored from the preservation
-- node) instead of the facility's own gateway, read-only, each item labelled as a preserved
-- copy as of preserved_as_of. Consent and role decisions do not change. A row is never
-- edited but to end it early (ended_at, ended_by); in force: not ended, starts_at <= now <
-- until. At most one row of a facility is not ended and not yet expired (checked under the
-- facility's row lock when declaring; the partial index below keeps not-ended rows unique).
CREATE TABLE disaster_declarations (
  id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  facility_oid         text NOT NULL REFERENCES facilities (oid),
  declared_by          bigint NOT NULL REFERENCES users (id),
  reason               text NOT NULL CHECK (reason <> ''),
  starts_at            timestamptz NOT NULL DEFAULT now(),
  until                timestamptz NOT NULL,
  standby_url          text NOT NULL CHECK (standby_url LIKE 'https://%'),
  standby_cert_sha256  text NOT NULL CHECK (standby_cert_sha256 ~ '^[0-9a-f]{64}$'),
  preserved_as_of      timestamptz NOT NULL,
  ended_at             timestamptz,
  ended_by             bigint REFERENCES users (id),
  CHECK (until > starts_at),
  CHECK ((ended_at IS NULL) = (ended_by IS NULL))
);
CREATE INDEX disaster_declarations_facility ON disaster_declarations (facility_oid, id);
CREATE INDEX disaster_declarations_open ON disaster_declarations (until) WHERE ended_at IS NULL;

-- Never edited but to end it once (ended_at and ended_by set, nothing else changed), never
-- deleted.
CREATE FUNCTION hy_disaster_declaration_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'a disaster declaration is never deleted';
  END IF;
  IF OLD.ended_at IS NOT NULL OR NEW.ended_at IS NULL
     OR (NEW.id, NEW.facility_oid, NEW.declared_by, NEW.reason, NEW.starts_at, NEW.until,
         NEW.standby_url, NEW.standby_cert_sha256, NEW.preserved_as_of)
        IS DISTINCT FROM
        (OLD.id, OLD.facility_oid, OLD.declared_by, OLD.reason, OLD.starts_at, OLD.until,
         OLD.standby_url, OLD.standby_cert_sha256, OLD.preserved_as_of) THEN
    RAISE EXCEPTION 'a disaster declaration is only ever ended, once';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER disaster_declarations_guard BEFORE UPDATE OR DELETE ON disaster_declarations
  FOR EACH ROW EXECUTE FUNCTION hy_disaster_declaration_guard();
