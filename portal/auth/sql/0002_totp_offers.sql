-- First-login TOTP enrolment: the secret the portal offered a user, held until the first code
-- from it arrives (or the offer expires). The code is checked against this secret only, so a
-- client cannot choose its own. Sealed like users.totp_secret when keys are configured.
CREATE TABLE totp_offers (
  user_id    bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  secret     text NOT NULL,
  expires_at timestamptz NOT NULL
);
