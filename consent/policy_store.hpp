// The editable role policy (profession x facility kind x category -> allowed) in PostgreSQL.
// Seeded with consent/default_policy.hpp; the secretariat edits cells; each edit is kept in
// access_policy_changes. decide() reads the table on every call (no cache), so an edit takes
// effect on the next request.
#pragma once

#include <cstdint>
#include <string>

#include "common/pg.hpp"
#include "consent/category.hpp"
#include "hpd/facility.hpp"
#include "hpd/page.hpp"
#include "hpd/time.hpp"
#include "hpd/user.hpp"

namespace hareyaka::consent {

struct PolicyCell {
  hpd::Profession profession;
  hpd::FacilityKind kind;
  Category category;
  bool allowed = false;
};

struct PolicyChange {
  std::int64_t id = 0;
  PolicyCell cell;
  std::string changed_by;
  hpd::TimePoint changed_at;
};

class PgPolicyStore {
 public:
  explicit PgPolicyStore(pg::Pool& pool) : pool_(pool) {}

  // A missing cell reads as not allowed (default deny).
  bool allowed(hpd::Profession p, hpd::FacilityKind k, Category c);
  // Every cell of one profession (at most 6 x 10), for the admin console.
  std::vector<PolicyCell> cells_for(hpd::Profession p);
  void set(const PolicyCell& cell, const std::string& changed_by, hpd::TimePoint now);
  static void set_in(pg::Tx& tx, const PolicyCell& cell, const std::string& changed_by,
                     hpd::TimePoint now);
  // Newest first.
  hpd::Page<PolicyChange> changes(const hpd::PageRequest& page);

 private:
  pg::Pool& pool_;
};

}  // namespace hareyaka::consent
