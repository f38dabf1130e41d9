#include "hpd/pg_hpd_entries.hpp"

#include <nlohmann/json.hpp>

#include "hpd/dsml/dn.hpp"
#include "hpd/hpd_filter.hpp"
#include "hpd/sql_null.hpp"

namespace hareyaka::hpd::entries {
namespace {

using nlohmann::json;

constexpr pg::Statement kLoad{
    "hpd_entry_load",
    "SELECT dn_norm, parent_norm, kind, dn, attrs::text, facility_oid, login_id FROM hpd_entries "
    "WHERE dn_norm = $1"};
constexpr pg::Statement kLoadForUpdate{
    "hpd_entry_load_for_update",
    "SELECT dn_norm, parent_norm, kind, dn, attrs::text, facility_oid, login_id FROM hpd_entries "
    "WHERE dn_norm = $1 FOR UPDATE"};
// index_version 2 is the format substring_index_text writes (hpd/sql/0008: type tags in
// punctuation); rows of an older version are re-indexed by reindex_stale.
constexpr pg::Statement kInsert{
    "hpd_entry_insert",
    "INSERT INTO hpd_entries (dn_norm, parent_norm, kind, dn, attrs, match, facility_oid, "
    "login_id, substr, index_version) VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8, $9, "
    "2)"};
constexpr pg::Statement kReplace{
    "hpd_entry_replace",
    "UPDATE hpd_entries SET dn_norm = $2, parent_norm = $3, kind = $4, dn = $5, "
    "attrs = $6::jsonb, match = $7::jsonb, facility_oid = $8, login_id = $9, substr = $10, "
    "index_version = 2, updated_at = now() WHERE dn_norm = $1"};
constexpr pg::Statement kRemove{"hpd_entry_remove", "DELETE FROM hpd_entries WHERE dn_norm = $1"};
constexpr pg::Statement kBound{"hpd_entry_bound",
                               "SELECT dn_norm FROM hpd_entries WHERE facility_oid = $1"};
// One container in DN order (the (parent_norm, dn_norm) index); with an equality assertion the
// GIN index on match narrows the rows first (MATERIALIZED keeps the planner from walking the
// DN index for the LIMIT instead).
constexpr pg::Statement kScan{
    "hpd_entry_scan",
    "SELECT dn_norm, parent_norm, kind, dn, attrs::text, facility_oid, login_id FROM hpd_entries "
    "WHERE parent_norm = $1 AND dn_norm > $2 ORDER BY dn_norm LIMIT $3"};
constexpr pg::Statement kScanEq{
    "hpd_entry_scan_eq",
    "WITH m AS MATERIALIZED (SELECT dn_norm, parent_norm, kind, dn, attrs, facility_oid, "
    "login_id FROM hpd_entries WHERE match @> $4::jsonb AND parent_norm = $1 AND dn_norm > $2) "
    "SELECT dn_norm, parent_norm, kind, dn, attrs::text, facility_oid, login_id FROM m "
    "ORDER BY dn_norm LIMIT $3"};
// With a substrings assertion the trigram index narrows the rows; the planner walks the DN
// index instead when it expects many matches (pg_trgm estimates the pattern's selectivity).
constexpr pg::Statement kScanSubstr{
    "hpd_entry_scan_substr",
    "SELECT dn_norm, parent_norm, kind, dn, attrs::text, facility_oid, login_id FROM hpd_entries "
    "WHERE parent_norm = $1 AND dn_norm > $2 AND substr ~ $4 ORDER BY dn_norm LIMIT $3"};
// The DN walk of a substring search, window by window: the window's rows in DN order
// ($3 of them), the regular expression tested on each, then at most $5 matches fetched
// whole, and one last row (part 1) with the window's end and size.
constexpr pg::Statement kWalkWindow{
    "hpd_entry_walk_window",
    "WITH w AS MATERIALIZED (SELECT dn_norm, substr ~ $4 AS hit FROM hpd_entries "
    "WHERE parent_norm = $1 AND dn_norm > $2 ORDER BY dn_norm LIMIT $3) "
    "SELECT * FROM (SELECT 0 AS part, e.dn_norm, e.parent_norm, e.kind, e.dn, e.attrs::text, "
    "e.facility_oid, e.login_id FROM (SELECT dn_norm FROM w WHERE hit ORDER BY dn_norm "
    "LIMIT $5) h JOIN hpd_entries e ON e.dn_norm = h.dn_norm "
    "UNION ALL SELECT 1, max(dn_norm), NULL, NULL, NULL, NULL, count(*)::text, NULL FROM w) r "
    "ORDER BY part, dn_norm"};
// The trigram index alone, for the rest of a container where matches are rare.
constexpr pg::Statement kIndexOnlyPlans{
    "hpd_entry_index_only_plans",
    "SELECT set_config('enable_indexscan', $1, true), set_config('enable_seqscan', $1, true)"};
// Entries with a DN-valued attribute naming $1 (the GIN index on match).
constexpr pg::Statement kReferring{
    "hpd_entry_referring",
    "SELECT dn_norm, parent_norm, kind, dn, attrs::text, facility_oid, login_id FROM hpd_entries "
    "WHERE match @> jsonb_build_object('member', jsonb_build_array($1::text)) "
    "OR match @> jsonb_build_object('owner', jsonb_build_array($1::text)) "
    "OR match @> jsonb_build_object('memberof', jsonb_build_array($1::text)) "
    "OR match @> jsonb_build_object('seealso', jsonb_build_array($1::text)) "
    "ORDER BY dn_norm FOR UPDATE"};
constexpr pg::Statement kStale{
    "hpd_entry_stale",
    "SELECT dn_norm, parent_norm, kind, dn, attrs::text, facility_oid, login_id FROM hpd_entries "
    "WHERE index_version < 2 ORDER BY dn_norm LIMIT $1 FOR UPDATE SKIP LOCKED"};
constexpr pg::Statement kReindex{
    "hpd_entry_reindex",
    "UPDATE hpd_entries SET match = $2::jsonb, substr = $3, index_version = 2 WHERE dn_norm = $1"};
constexpr pg::Statement kUpsertFacility{
    "hpd_entry_upsert_facility",
    "INSERT INTO facilities (oid, name_kanji, name_kana, name_en, kind, municipality_code, "
    "discloses, views, gateway_url, gateway_cert_sha256, status, postal_code, address, phone) "
    "VALUES ($1, $2, '', '', $3, '', false, true, '', '', $4, $5, $6, $7) "
    "ON CONFLICT (oid) DO UPDATE SET name_kanji = EXCLUDED.name_kanji, kind = EXCLUDED.kind, "
    "status = EXCLUDED.status, postal_code = EXCLUDED.postal_code, "
    "address = EXCLUDED.address, phone = EXCLUDED.phone, updated_at = now()"};
constexpr pg::Statement kFacilityExists{"hpd_entry_facility_exists",
                                        "SELECT 1 FROM facilities WHERE oid = $1"};
constexpr pg::Statement kBoundUser{"hpd_entry_bound_user",
                                   "SELECT dn_norm FROM hpd_entries WHERE login_id = $1"};
constexpr pg::Statement kUserProfession{"hpd_entry_user_profession",
                                        "SELECT profession FROM users WHERE login_id = $1"};
constexpr pg::Statement kUpsertUser{
    "hpd_entry_upsert_user",
    "INSERT INTO users (facility_oid, profession, login_id, display_name, hpki_issuer, "
    "hpki_serial, hpki_subject, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
    "ON CONFLICT (login_id) DO UPDATE SET facility_oid = EXCLUDED.facility_oid, "
    "profession = EXCLUDED.profession, display_name = EXCLUDED.display_name, "
    "hpki_issuer = EXCLUDED.hpki_issuer, hpki_serial = EXCLUDED.hpki_serial, "
    "hpki_subject = EXCLUDED.hpki_subject, status = EXCLUDED.status"};
constexpr pg::Statement kRetireUser{"hpd_entry_retire_user",
                                    "UPDATE users SET status = 'retired' WHERE login_id = $1"};
constexpr pg::Statement kRetireFacility{
    "hpd_entry_retire_facility",
    "UPDATE facilities SET status = 'retired', updated_at = now() WHERE oid = $1"};

std::string attrs_json(const dsml::Entry& e) {
  json a = json::array();
  for (const auto& at : e.attrs)
    a.push_back({{"n", at.name}, {"v", at.values}});
  return a.dump();
}

std::string match_json(const dsml::Entry& e) {
  json m = json::object();
  for (const auto& at : e.attrs) {
    auto& values = m[attribute_type(at.name)];
    if (values.is_null())
      values = json::array();
    for (const auto& v : at.values)
      values.push_back(match_value(at.name, v));
  }
  return m.dump();
}

// The entry columns (dn_norm, parent_norm, kind, dn, attrs, facility_oid, login_id) from
// column `from` on.
StoredEntry row_to_entry(const pqxx::row& r, int from = 0) {
  StoredEntry s;
  s.dn_norm = r[from].as<std::string>();
  s.parent_norm = r[from + 1].as<std::string>();
  s.kind = parse_entry_kind(r[from + 2].as<std::string>()).value_or(EntryKind::kProfessional);
  s.entry.dn = r[from + 3].as<std::string>();
  for (const auto& a : json::parse(r[from + 4].as<std::string>()))
    s.entry.attrs.push_back(
        {a.at("n").get<std::string>(), a.at("v").get<std::vector<std::string>>()});
  if (!r[from + 5].is_null())
    s.facility_oid = r[from + 5].as<std::string>();
  if (!r[from + 6].is_null())
    s.login_id = r[from + 6].as<std::string>();
  return s;
}

}  // namespace

std::optional<StoredEntry> load(pg::Tx& tx, const std::string& dn_norm, bool for_update) {
  auto r = tx.exec(for_update ? kLoadForUpdate : kLoad, dn_norm);
  if (r.empty())
    return std::nullopt;
  return row_to_entry(r[0]);
}

void insert(pg::Tx& tx, const StoredEntry& e) {
  tx.exec(kInsert, e.dn_norm, e.parent_norm, std::string(to_string(e.kind)), e.entry.dn,
          attrs_json(e.entry), match_json(e.entry), or_null(e.facility_oid), or_null(e.login_id),
          substring_index_text(e.entry));
}

void replace(pg::Tx& tx, const std::string& old_dn_norm, const StoredEntry& e) {
  tx.exec(kReplace, old_dn_norm, e.dn_norm, e.parent_norm, std::string(to_string(e.kind)),
          e.entry.dn, attrs_json(e.entry), match_json(e.entry), or_null(e.facility_oid),
          or_null(e.login_id), substring_index_text(e.entry));
}

void remove(pg::Tx& tx, const std::string& dn_norm) {
  tx.exec(kRemove, dn_norm);
}

std::optional<std::string> bound_to_facility(pg::Tx& tx, const std::string& facility_oid) {
  auto r = tx.exec(kBound, facility_oid);
  if (r.empty())
    return std::nullopt;
  return r[0][0].as<std::string>();
}

std::vector<StoredEntry> scan(pg::Tx& tx, const ScanQuery& q) {
  pqxx::result r;
  if (q.equality) {
    r = tx.exec(kScanEq, q.parent, q.after, q.limit,
                json{{q.equality->first, json::array({q.equality->second})}}.dump());
  } else if (q.substring) {
    r = tx.exec(kScanSubstr, q.parent, q.after, q.limit, *q.substring);
  } else {
    r = tx.exec(kScan, q.parent, q.after, q.limit);
  }
  std::vector<StoredEntry> out;
  out.reserve(r.size());
  for (const auto& row : r)
    out.push_back(row_to_entry(row));
  return out;
}

WalkWindow walk_window(pg::Tx& tx, const ScanQuery& q, int window, int max_hits) {
  WalkWindow out;
  const auto r = tx.exec(kWalkWindow, q.parent, q.after, window, *q.substring, max_hits);
  for (const auto& row : r) {
    if (row[0].as<int>() == 1) {
      out.end = row[1].is_null() ? std::string() : row[1].as<std::string>();
      out.rows = std::stoll(row[6].as<std::string>());
      continue;
    }
    out.hits.push_back(row_to_entry(row, 1));
  }
  return out;
}

void index_only_plans(pg::Tx& tx, bool on) {
  tx.exec(kIndexOnlyPlans, on ? "off" : "on");
}

std::vector<StoredEntry> referring_to(pg::Tx& tx, const std::string& dn_norm) {
  std::vector<StoredEntry> out;
  for (const auto& row : tx.exec(kReferring, dn_norm))
    out.push_back(row_to_entry(row));
  return out;
}

std::size_t reindex_stale(pg::Tx& tx, int limit) {
  const auto rows = tx.exec(kStale, limit);
  for (const auto& row : rows) {
    const auto s = row_to_entry(row);
    tx.exec(kReindex, s.dn_norm, match_json(s.entry), substring_index_text(s.entry));
  }
  return rows.size();
}

void upsert_facility(pg::Tx& tx, const Facility& f) {
  tx.exec(kUpsertFacility, f.oid, f.name_kanji, std::string(to_string(f.kind)),
          std::string(to_string(f.status)), f.postal_code, f.address, f.phone);
}

void retire_facility(pg::Tx& tx, const std::string& oid) {
  tx.exec(kRetireFacility, oid);
}

bool facility_exists(pg::Tx& tx, const std::string& oid) {
  return !tx.exec(kFacilityExists, oid).empty();
}

std::optional<std::string> bound_to_user(pg::Tx& tx, const std::string& login_id) {
  auto r = tx.exec(kBoundUser, login_id);
  if (r.empty())
    return std::nullopt;
  return r[0][0].as<std::string>();
}

std::optional<std::string> user_profession(pg::Tx& tx, const std::string& login_id) {
  auto r = tx.exec(kUserProfession, login_id);
  if (r.empty())
    return std::nullopt;
  return r[0][0].as<std::string>();
}

void upsert_user(pg::Tx& tx, const UserBinding& u) {
  tx.exec(kUpsertUser, u.facility_oid, std::string(to_string(u.profession)), u.login_id,
          u.display_name, u.hpki.issuer, u.hpki.serial, u.hpki.subject,
          std::string(to_string(u.status)));
}

void retire_user(pg::Tx& tx, const std::string& login_id) {
  tx.exec(kRetireUser, login_id);
}

}  // namespace hareyaka::hpd::entries
