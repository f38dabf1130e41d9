-- The attribute type in `substr` segments is spelled in punctuation characters (two for each
-- character of the type name) instead of letters. pg_trgm takes no trigrams from punctuation,
-- so a search's index scan narrows by the value alone: with the type as a word, every entry
-- carried the trigrams of "displayname" and a kanji search read their posting lists of every
-- row (469 ms instead of 9 ms on 1M entries). Rows of index version 1 are re-indexed by the
-- portal at start (HpdService::refresh_indexes).
DROP INDEX hpd_entries_stale;
CREATE INDEX hpd_entries_stale ON hpd_entries (dn_norm) WHERE index_version < 2;
