-- Portal sessions. The token the browser holds is never stored: only its SHA-256, so a
-- read of this table (a backup, a replica) gives no usable session. Any portal replica
-- finds the session here.
CREATE TABLE sessions (
  token_hash      text PRIMARY KEY,
  user_id         bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  csrf_token      text NOT NULL,
  auth_method     text NOT NULL CHECK (auth_method IN ('password_totp', 'hpki')),
  created_at      timestamptz NOT NULL,
  last_seen_at    timestamptz NOT NULL,
  absolute_expiry timestamptz NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (absolute_expiry);
