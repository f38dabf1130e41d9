-- Locator entries: where a patient's data is, as each disclosing facility's gateway
-- publishes it (categories with date ranges and counts, document ids, imaging study ids,
-- the last-change time). No clinical data. One row per patient identity; a gateway writes
-- only rows of its own facility (the node listener derives it from the client certificate).
CREATE TABLE locators (
  facility_oid text NOT NULL,
  authority    text NOT NULL,
  local_id     text NOT NULL,
  digest       text NOT NULL,          -- SHA-256 hex of the content, as the gateway sent it
  last_change  timestamptz NOT NULL,   -- an older change never overwrites a newer one
  content      jsonb NOT NULL,         -- {"categories":{...},"documents":[...],"studies":[...]}
  received_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (facility_oid, authority, local_id)
);
-- The viewer looks entries up by identity (a person's identities at every facility).
CREATE INDEX locators_identity ON locators (authority, local_id);
