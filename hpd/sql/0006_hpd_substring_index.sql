-- Substring searches (ITI-58 filters such as cn=*yama*) through a trigram index (pg_trgm,
-- a trusted extension shipped with PostgreSQL). `substr` holds every value of the entry that
-- substring filters may ask for, as "\x01<type>\x02<value>" segments ending in "\x01"
-- (values normalized as filters compare them, each non-ASCII character spelled as four
-- base-36 digits so that trigrams exist whatever the database's LC_CTYPE); a search asks it
-- with a regular expression and evaluates the whole filter on each candidate, so the index
-- only narrows. index_version: rows written before this migration (0) get their `substr` and
-- `match` recomputed by the portal at start (HpdService::refresh_indexes).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
ALTER TABLE hpd_entries ADD COLUMN substr text NOT NULL DEFAULT '',
                        ADD COLUMN index_version smallint NOT NULL DEFAULT 0;
CREATE INDEX hpd_entries_substr ON hpd_entries USING gin (substr gin_trgm_ops);
CREATE INDEX hpd_entries_stale ON hpd_entries (dn_norm) WHERE index_version < 1;
