-- Directory: facilities and users. Times cross the driver as microseconds since the epoch;
-- these two helpers convert exactly (no floating point).
CREATE FUNCTION hy_ts(us bigint) RETURNS timestamptz
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT timestamptz 'epoch' + us * interval '1 microsecond' $$;
CREATE FUNCTION hy_us(t timestamptz) RETURNS bigint
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$ SELECT (extract(epoch FROM t) * 1000000)::bigint $$;

CREATE TABLE facilities (
  oid                 text PRIMARY KEY,
  name_kanji          text NOT NULL DEFAULT '',
  name_kana           text NOT NULL DEFAULT '',
  name_en             text NOT NULL DEFAULT '',
  kind                text NOT NULL CHECK (kind IN ('hospital', 'clinic', 'dental_clinic',
                        'pharmacy', 'home_visit_nursing', 'care_facility')),
  municipality_code   text NOT NULL DEFAULT '',
  discloses           boolean NOT NULL,
  views               boolean NOT NULL,
  gateway_url         text NOT NULL DEFAULT '',
  gateway_cert_sha256 text NOT NULL DEFAULT '',
  status              text NOT NULL CHECK (status IN ('active', 'suspended', 'retired')),
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX facilities_municipality ON facilities (municipality_code, oid);
CREATE INDEX facilities_kind ON facilities (kind, oid);

CREATE TABLE users (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  facility_oid        text NOT NULL REFERENCES facilities (oid),
  profession          text NOT NULL CHECK (profession IN ('doctor', 'dentist', 'pharmacist',
                        'nurse', 'public_health_nurse', 'midwife', 'therapist', 'care_manager',
                        'clerk', 'secretariat_admin')),
  login_id            text NOT NULL UNIQUE,
  display_name        text NOT NULL DEFAULT '',
  password_hash       text NOT NULL DEFAULT '',
  totp_secret         text NOT NULL DEFAULT '',
  totp_last_step      bigint,
  hpki_issuer         text NOT NULL DEFAULT '',
  hpki_serial         text NOT NULL DEFAULT '',
  hpki_subject        text NOT NULL DEFAULT '',
  status              text NOT NULL CHECK (status IN ('active', 'locked', 'retired')),
  failed_attempts     integer NOT NULL DEFAULT 0,
  locked_until        timestamptz,
  password_changed_at timestamptz,
  created_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX users_facility ON users (facility_oid, id);
CREATE UNIQUE INDEX users_hpki_serial ON users (hpki_issuer, hpki_serial) WHERE hpki_serial <> '';
CREATE INDEX users_hpki_subject ON users (hpki_subject) WHERE hpki_subject <> '';
