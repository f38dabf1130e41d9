-- SMART on FHIR (#19): the apps the secretariat registered, the one-time authorization codes
-- of the standalone launch (PKCE S256) and the access and refresh tokens. Codes and tokens
-- are stored as SHA-256 hashes only; a token names the user it acts for and the scopes it
-- was granted, and every FHIR read is still decided by consent and role policy.
CREATE TABLE fhir_clients (
  client_id     text PRIMARY KEY CHECK (client_id ~ '^[A-Za-z0-9._-]{3,64}$'),
  name          text NOT NULL CHECK (name <> ''),
  redirect_uris text[] NOT NULL CHECK (cardinality(redirect_uris) > 0),
  scopes        text NOT NULL,          -- the most it may be granted, space-separated
  status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
  created_by    text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE fhir_auth_codes (
  code_hash      text PRIMARY KEY,
  client_id      text NOT NULL REFERENCES fhir_clients (client_id),
  user_id        bigint NOT NULL REFERENCES users (id),
  scope          text NOT NULL,
  redirect_uri   text NOT NULL,
  code_challenge text NOT NULL,
  expires_at     timestamptz NOT NULL
);

CREATE TABLE fhir_tokens (
  token_hash  text PRIMARY KEY,
  kind        text NOT NULL CHECK (kind IN ('access', 'refresh')),
  client_id   text NOT NULL REFERENCES fhir_clients (client_id),
  user_id     bigint NOT NULL REFERENCES users (id),
  scope       text NOT NULL,
  expires_at  timestamptz NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX fhir_tokens_expiry ON fhir_tokens (expires_at);
CREATE INDEX fhir_tokens_user ON fhir_tokens (user_id);
