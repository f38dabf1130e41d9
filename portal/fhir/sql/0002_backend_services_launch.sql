-- SMART Backend Services (#19): a registered system authenticates with a JWT signed by one of
-- its public keys (a JWK Set, RFC 7523 private_key_jwt) and acts as one user of the directory
-- (a facility's system account): every read is decided by that user's consent and role policy.
-- The jti of each accepted client assertion is kept until the assertion expires, so that each
-- is accepted once.
ALTER TABLE fhir_clients
  ADD COLUMN kind text NOT NULL DEFAULT 'app' CHECK (kind IN ('app', 'backend')),
  ADD COLUMN jwks jsonb,
  ADD COLUMN acts_as bigint REFERENCES users (id);
ALTER TABLE fhir_clients DROP CONSTRAINT fhir_clients_redirect_uris_check;
ALTER TABLE fhir_clients ADD CONSTRAINT fhir_clients_kind_fields CHECK (
  (kind = 'app' AND cardinality(redirect_uris) > 0 AND jwks IS NULL AND acts_as IS NULL) OR
  (kind = 'backend' AND cardinality(redirect_uris) = 0 AND jwks IS NOT NULL AND
   acts_as IS NOT NULL));

CREATE TABLE fhir_assertion_jti (
  client_id  text NOT NULL REFERENCES fhir_clients (client_id),
  jti        text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (client_id, jti)
);
CREATE INDEX fhir_assertion_jti_expiry ON fhir_assertion_jti (expires_at);

-- The SMART launch context (#19): the patient the user picked for an app that asked for
-- launch/patient; its patient/... scopes reach that patient only.
ALTER TABLE fhir_auth_codes ADD COLUMN patient_id bigint;
ALTER TABLE fhir_tokens ADD COLUMN patient_id bigint;
