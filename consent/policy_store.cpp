#include "consent/policy_store.hpp"

#include <limits>

namespace hareyaka::consent {
namespace {

constexpr pg::Statement kAllowed{
    "policy_allowed",
    "SELECT allowed FROM access_policy WHERE profession = $1 AND facility_kind = $2 AND "
    "category = $3"};
constexpr pg::Statement kCellsFor{
    "policy_cells_for",
    "SELECT facility_kind, category, allowed FROM access_policy WHERE profession = $1 "
    "ORDER BY facility_kind, category"};
constexpr pg::Statement kUpsert{
    "policy_upsert",
    "INSERT INTO access_policy (profession, facility_kind, category, allowed, updated_by, "
    "updated_at) VALUES ($1, $2, $3, $4, $5, hy_ts($6)) "
    "ON CONFLICT (profession, facility_kind, category) DO UPDATE SET allowed = EXCLUDED.allowed, "
    "updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at"};
constexpr pg::Statement kLogChange{
    "policy_log_change",
    "INSERT INTO access_policy_changes (profession, facility_kind, category, allowed, changed_by, "
    "changed_at) VALUES ($1, $2, $3, $4, $5, hy_ts($6))"};
constexpr pg::Statement kChanges{
    "policy_changes",
    "SELECT id, profession, facility_kind, category, allowed, changed_by, hy_us(changed_at) "
    "FROM access_policy_changes WHERE id < $1 ORDER BY id DESC LIMIT $2"};

}  // namespace

bool PgPolicyStore::allowed(hpd::Profession p, hpd::FacilityKind k, Category c) {
  return pg::transact(pool_, [&](pg::Tx& tx) {
    auto res = tx.exec(kAllowed, std::string(to_string(p)), std::string(hpd::to_string(k)),
                       std::string(to_string(c)));
    return !res.empty() && res[0][0].as<bool>();
  });
}

std::vector<PolicyCell> PgPolicyStore::cells_for(hpd::Profession p) {
  return pg::transact(pool_, [&](pg::Tx& tx) {
    std::vector<PolicyCell> out;
    for (const auto& r : tx.exec(kCellsFor, std::string(to_string(p)))) {
      auto k = hpd::parse_facility_kind(r[0].as<std::string>());
      auto c = parse_category(r[1].as<std::string>());
      if (k && c)
        out.push_back({p, *k, *c, r[2].as<bool>()});
    }
    return out;
  });
}

void PgPolicyStore::set_in(pg::Tx& tx, const PolicyCell& cell, const std::string& by,
                           hpd::TimePoint now) {
  const std::string p(to_string(cell.profession)), k(hpd::to_string(cell.kind)),
      c(to_string(cell.category));
  tx.exec(kUpsert, p, k, c, cell.allowed, by, hpd::to_us(now));
  tx.exec(kLogChange, p, k, c, cell.allowed, by, hpd::to_us(now));
}

void PgPolicyStore::set(const PolicyCell& cell, const std::string& by, hpd::TimePoint now) {
  pg::transact(pool_, [&](pg::Tx& tx) { set_in(tx, cell, by, now); });
}

hpd::Page<PolicyChange> PgPolicyStore::changes(const hpd::PageRequest& page) {
  const int limit = page.clamped_limit();
  const long long before = page.after.empty() ? std::numeric_limits<long long>::max()
                                              : hpd::decode_int_cursor(page.after);
  return pg::transact(pool_, [&](pg::Tx& tx) {
    hpd::Page<PolicyChange> out;
    for (const auto& r : tx.exec(kChanges, before, limit)) {
      auto p = hpd::parse_profession(r[1].as<std::string>());
      auto k = hpd::parse_facility_kind(r[2].as<std::string>());
      auto c = parse_category(r[3].as<std::string>());
      if (!p || !k || !c)
        continue;
      out.items.push_back({r[0].as<std::int64_t>(),
                           {*p, *k, *c, r[4].as<bool>()},
                           r[5].as<std::string>(),
                           hpd::from_us(r[6].as<std::int64_t>())});
    }
    if (static_cast<int>(out.items.size()) == limit) {
      out.next = hpd::encode_int_cursor(out.items.back().id);
    }
    return out;
  });
}

}  // namespace hareyaka::consent
