-- PIX identity cross-reference. A person is a set of identities; an identity is a patient
-- id in one assigning authority's domain (authority OID + local id) with the demographics
-- its source last sent. The identity tables are hash-partitioned on the identity's natural
-- key so that national volumes spread over partitions (and, later, over nodes) without a
-- schema change; every request path reaches them through an index.

CREATE TABLE pix_domains (
  authority  text PRIMARY KEY,
  name       text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE SEQUENCE pix_person_seq CACHE 100;

CREATE TABLE pix_persons (
  id         bigint PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE pix_identities (
  authority    text NOT NULL,
  local_id     text NOT NULL,
  person_id    bigint NOT NULL,
  status       text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'merged')),
  merged_into_authority text,
  merged_into_local_id  text,
  -- demographics as sent
  family_kanji text NOT NULL DEFAULT '',
  given_kanji  text NOT NULL DEFAULT '',
  family_kana  text NOT NULL DEFAULT '',
  given_kana   text NOT NULL DEFAULT '',
  birth_date   text NOT NULL DEFAULT '',
  sex          text NOT NULL DEFAULT 'U',
  address      text NOT NULL DEFAULT '',
  postal_code  text NOT NULL DEFAULT '',
  phone        text NOT NULL DEFAULT '',
  -- normalised comparison fields (pix/matcher.hpp MatchRecord)
  n_kana_family  text NOT NULL DEFAULT '',
  n_kana_given   text NOT NULL DEFAULT '',
  k_kana_family  text NOT NULL DEFAULT '',
  k_kana_given   text NOT NULL DEFAULT '',
  n_kanji_family text NOT NULL DEFAULT '',
  n_kanji_given  text NOT NULL DEFAULT '',
  n_phone        text NOT NULL DEFAULT '',
  n_postal       text NOT NULL DEFAULT '',
  -- how this identity came to be in its person
  link_origin  text NOT NULL DEFAULT 'new'
               CHECK (link_origin IN ('new', 'auto', 'manual', 'source', 'merge')),
  link_score   real,
  linked_by    text NOT NULL DEFAULT '',
  link_reason  text NOT NULL DEFAULT '',
  linked_at    timestamptz NOT NULL DEFAULT now(),
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (authority, local_id)
) PARTITION BY HASH (authority, local_id);

CREATE TABLE pix_identities_p0 PARTITION OF pix_identities FOR VALUES WITH (MODULUS 8, REMAINDER 0);
CREATE TABLE pix_identities_p1 PARTITION OF pix_identities FOR VALUES WITH (MODULUS 8, REMAINDER 1);
CREATE TABLE pix_identities_p2 PARTITION OF pix_identities FOR VALUES WITH (MODULUS 8, REMAINDER 2);
CREATE TABLE pix_identities_p3 PARTITION OF pix_identities FOR VALUES WITH (MODULUS 8, REMAINDER 3);
CREATE TABLE pix_identities_p4 PARTITION OF pix_identities FOR VALUES WITH (MODULUS 8, REMAINDER 4);
CREATE TABLE pix_identities_p5 PARTITION OF pix_identities FOR VALUES WITH (MODULUS 8, REMAINDER 5);
CREATE TABLE pix_identities_p6 PARTITION OF pix_identities FOR VALUES WITH (MODULUS 8, REMAINDER 6);
CREATE TABLE pix_identities_p7 PARTITION OF pix_identities FOR VALUES WITH (MODULUS 8, REMAINDER 7);

-- The members of a person (PIX query, link changes).
CREATE INDEX pix_identities_person ON pix_identities (person_id);
-- Blocking keys for matching, also the PDQ search paths:
--   birth date + kana family, birth date + kana given (a name typo still meets its twin),
--   kana family + kana given + birth year (a day or month typo), phone.
CREATE INDEX pix_identities_birth_family ON pix_identities (birth_date, k_kana_family text_pattern_ops);
CREATE INDEX pix_identities_birth_given ON pix_identities (birth_date, k_kana_given text_pattern_ops);
CREATE INDEX pix_identities_kana ON pix_identities
  (k_kana_family text_pattern_ops, k_kana_given text_pattern_ops, left(birth_date, 4));
CREATE INDEX pix_identities_kanji ON pix_identities
  (n_kanji_family text_pattern_ops, n_kanji_given text_pattern_ops);
-- Birth date + the whole kana name, for systems that keep the name in one field without a
-- space (nothing to split it at).
CREATE INDEX pix_identities_birth_fullname ON pix_identities
  (birth_date, (k_kana_family || k_kana_given));
-- Not partial: a prepared statement's generic plan could not prove $n <> '' to use it.
CREATE INDEX pix_identities_phone ON pix_identities (n_phone);

-- Every change of an identity's person, append-only (partitionable by time).
CREATE TABLE pix_link_history (
  id          bigserial PRIMARY KEY,
  authority   text NOT NULL,
  local_id    text NOT NULL,
  action      text NOT NULL CHECK (action IN ('create', 'auto_link', 'source_link', 'link',
                                              'unlink', 'merge', 'merged_away')),
  from_person bigint,
  to_person   bigint NOT NULL,
  score       real,
  actor       text NOT NULL DEFAULT '',
  reason      text NOT NULL DEFAULT '',
  at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pix_link_history_identity ON pix_link_history (authority, local_id, at);

-- Possible matches between the two thresholds (or blocked by the same-authority rule)
-- waiting for a person to decide.
CREATE TABLE pix_review_queue (
  id                  bigserial PRIMARY KEY,
  authority           text NOT NULL,
  local_id            text NOT NULL,
  candidate_authority text NOT NULL,
  candidate_local_id  text NOT NULL,
  score               real NOT NULL,
  cause               text NOT NULL CHECK (cause IN ('score', 'same_authority', 'ambiguous')),
  status              text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'linked', 'dismissed')),
  created_at          timestamptz NOT NULL DEFAULT now(),
  resolved_at         timestamptz,
  resolved_by         text NOT NULL DEFAULT '',
  resolution_reason   text NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX pix_review_queue_pair ON pix_review_queue
  (authority, local_id, candidate_authority, candidate_local_id) WHERE status = 'open';
CREATE INDEX pix_review_queue_open ON pix_review_queue (id) WHERE status = 'open';

-- ITI-46 update notifications, one pending row per (consumer, person): a second change
-- before delivery bumps change_seq instead of queueing a duplicate, and a delivery only
-- completes the row if nothing changed while it was in flight.
CREATE TABLE pix_notification_outbox (
  id              bigserial PRIMARY KEY,
  consumer        text NOT NULL,
  person_id       bigint NOT NULL,
  change_seq      integer NOT NULL DEFAULT 1,
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error      text NOT NULL DEFAULT '',
  created_at      timestamptz NOT NULL DEFAULT now(),
  delivered_at    timestamptz
);
CREATE UNIQUE INDEX pix_outbox_pending ON pix_notification_outbox (consumer, person_id)
  WHERE status = 'pending';
CREATE INDEX pix_outbox_due ON pix_notification_outbox (next_attempt_at) WHERE status = 'pending';

-- PDQ continuation state (QUQI_IN000003UV01): the result set of a query, by person, kept
-- in the database so that any portal replica can serve the next page.
CREATE TABLE pdq_query_state (
  sender            text NOT NULL,
  query_root        text NOT NULL,
  query_extension   text NOT NULL,
  person_ids        bigint[] NOT NULL,
  position          integer NOT NULL DEFAULT 0,
  query_by_parameter text NOT NULL,
  scoping           text[] NOT NULL DEFAULT '{}',
  expires_at        timestamptz NOT NULL,
  PRIMARY KEY (sender, query_root, query_extension)
);
CREATE INDEX pdq_query_state_expiry ON pdq_query_state (expires_at);
