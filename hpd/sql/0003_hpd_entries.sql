-- IHE HPD directory entries (ITI-58/59): every entry as its attributes, keyed by the
-- normalized DN. Entries sit one level below a container (ou=HCProfessional, ...) of a
-- configured suffix, so parent_norm is that container; `match` holds the normalized values
-- by lower-case attribute type for indexed equality pre-filtering. An organization entry that
-- carries a facility OID of this network is bound to its facilities row; a professional entry
-- that carries a login identifier of one of its facilities is bound to its users row.
CREATE TABLE hpd_entries (
  dn_norm      text PRIMARY KEY,
  dn           text NOT NULL,
  parent_norm  text NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('professional', 'organization', 'relationship')),
  attrs        jsonb NOT NULL,
  match        jsonb NOT NULL,
  facility_oid text REFERENCES facilities (oid),
  login_id     text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX hpd_entries_parent ON hpd_entries (parent_norm, dn_norm);
CREATE INDEX hpd_entries_match ON hpd_entries USING gin (match jsonb_path_ops);
CREATE UNIQUE INDEX hpd_entries_facility ON hpd_entries (facility_oid) WHERE facility_oid IS NOT NULL;
CREATE UNIQUE INDEX hpd_entries_login ON hpd_entries (login_id) WHERE login_id IS NOT NULL;
