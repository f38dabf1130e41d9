-- Prefix searches of the admin console (facility by name, kana or OID; user by login id or
-- name) use these indexes: text_pattern_ops serves LIKE 'prefix%' whatever the collation.
CREATE INDEX admin_facilities_name_kanji ON facilities (name_kanji text_pattern_ops);
CREATE INDEX admin_facilities_name_kana ON facilities (name_kana text_pattern_ops);
CREATE INDEX admin_facilities_oid_prefix ON facilities (oid text_pattern_ops);
CREATE INDEX admin_users_login_prefix ON users (login_id text_pattern_ops);
CREATE INDEX admin_users_display_name ON users (display_name text_pattern_ops);
