-- Romaji blocking keys (issue #24): the name as romaji keys (pix/latin_name.hpp), the two
-- parts in key order, for every identity: a Latin name's own, or the Hepburn reading of the
-- kana. A romaji-only record and a kana record of the same person share them, while their
-- k_kana_* keys are in different scripts.
ALTER TABLE pix_identities
  ADD COLUMN r_first  text NOT NULL DEFAULT '',
  ADD COLUMN r_second text NOT NULL DEFAULT '';
CREATE INDEX pix_identities_birth_romaji_first ON pix_identities (birth_date, r_first);
CREATE INDEX pix_identities_birth_romaji_second ON pix_identities (birth_date, r_second);
