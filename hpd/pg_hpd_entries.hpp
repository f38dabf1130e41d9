// The hpd_entries table inside a caller's transaction: load, insert, replace, delete and the
// keyset scan searches use. Attributes are stored as JSON in their given order and spelling;
// `match` (normalized values by lower-case type) serves the indexed equality pre-filter.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/pg.hpp"
#include "hpd/dsml/dsml.hpp"
#include "hpd/facility.hpp"
#include "hpd/hpd_schema.hpp"

namespace hareyaka::hpd {

struct StoredEntry {
  std::string dn_norm;
  std::string parent_norm;
  EntryKind kind = EntryKind::kProfessional;
  dsml::Entry entry;  // entry.dn as given by the feed
  std::optional<std::string> facility_oid;
  std::optional<std::string> login_id;  // the bound user
};

// The entries of one container (parent_norm), in DN order after `after`.
struct ScanQuery {
  std::string parent;
  std::optional<std::pair<std::string, std::string>> equality;  // {type, normalized value}
  std::optional<std::string> substring;  // required_substring_pattern, when no equality
  std::string after;                     // dn_norm keyset cursor
  int limit = 500;
};

namespace entries {

std::optional<StoredEntry> load(pg::Tx& tx, const std::string& dn_norm, bool for_update);
void insert(pg::Tx& tx, const StoredEntry& e);
// Replaces the row `old_dn_norm` by `e` (which may carry a new DN).
void replace(pg::Tx& tx, const std::string& old_dn_norm, const StoredEntry& e);
void remove(pg::Tx& tx, const std::string& dn_norm);
// The normalized DN of the entry bound to the facility / user, if any.
std::optional<std::string> bound_to_facility(pg::Tx& tx, const std::string& facility_oid);
std::vector<StoredEntry> scan(pg::Tx& tx, const ScanQuery& q);

// Substring searches, planned here rather than by the planner's estimate of the pattern (a
// misestimate either walked a whole container for a rare pattern or took every match of a
// common one through the trigram index):
// - walk_window: the next `window` rows of the container in DN order, and of them at most
//   `max_hits` that match q.substring. `end` is the last row of the window (empty when the
//   window was empty), `rows` how many rows it had.
// - index_only_plans(tx, true): from then on in the transaction, scan takes q's pages through
//   the trigram index only (no DN walk, no sequential scan), for the rest of a container where
//   the walk found the pattern rare; index_only_plans(tx, false) gives the planner its usual
//   plans back (a walk_window needs them). Set once for the pages, not for each.
struct WalkWindow {
  std::vector<StoredEntry> hits;
  std::string end;
  std::int64_t rows = 0;
};
WalkWindow walk_window(pg::Tx& tx, const ScanQuery& q, int window, int max_hits);
void index_only_plans(pg::Tx& tx, bool on);
// The entries whose member, owner, memberOf or seeAlso names `dn_norm`, locked for update.
std::vector<StoredEntry> referring_to(pg::Tx& tx, const std::string& dn_norm);
// Recomputes `match` and `substr` of up to `limit` rows written under an older index format;
// returns how many.
std::size_t reindex_stale(pg::Tx& tx, int limit);

// Facility binding: creates the facility or updates the fields HPD carries (names, kind,
// status), leaving gateway and flags alone.
void upsert_facility(pg::Tx& tx, const Facility& f);
void retire_facility(pg::Tx& tx, const std::string& oid);

bool facility_exists(pg::Tx& tx, const std::string& oid);
std::optional<std::string> bound_to_user(pg::Tx& tx, const std::string& login_id);
// The profession of an existing user, if any.
std::optional<std::string> user_profession(pg::Tx& tx, const std::string& login_id);
// User binding: creates the user (no password, no TOTP) or updates what HPD carries.
void upsert_user(pg::Tx& tx, const UserBinding& u);
void retire_user(pg::Tx& tx, const std::string& login_id);

}  // namespace entries
}  // namespace hareyaka::hpd
