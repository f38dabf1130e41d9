// THE access decision. Every endpoint that returns patient data asks decide() once per
// (patient at a source facility, category) and audits the answer. Default deny: anything
// not positively allowed - unknown user, inactive facility, a role the policy does not
// permit, no live consent covering the category - is a deny with a reason.
//
// Order of checks (the first failing one is the reason):
//   1. the user exists, is active, and still has the profession and facility of the session
//   2. the viewing facility is active and a viewing facility
//   3. the source facility is registered, active and disclosing
//   4. the role policy allows (profession, viewing facility kind, category)
//   5. a consent of the patient at the source facility, for the viewer or all facilities,
//      is live at `now` (started, not expired, not withdrawn) and covers the category
// Everything is read in one SQL round trip and nothing is cached, so a withdrawal, a policy
// edit or a locked account takes effect on the next call. decide_many() answers many
// (patient at a source facility, category) questions of one user in one round trip, each
// answer exactly what decide() would give for that question at the same `now`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/pg.hpp"
#include "consent/category.hpp"
#include "consent/consent.hpp"
#include "hpd/user.hpp"

namespace hareyaka::consent {

// Who is asking, as established at login (the session).
struct UserContext {
  std::int64_t user_id = 0;
  std::string login_id;
  hpd::Profession profession = hpd::Profession::kClerk;
  std::string facility_oid;
};

enum class DenyReason {
  kNone,  // allowed
  kUnknownUser,
  kUserInactive,
  kUserChanged,  // profession or facility differs from the session: log in again
  kViewerFacilityInactive,
  kViewerFacilityNotViewing,
  kSourceFacilityUnknown,
  kSourceFacilityInactive,
  kSourceFacilityNotDisclosing,
  kRoleNotPermitted,
  kNoConsent,
  kConsentNotYetValid,
  kConsentExpired,
  kConsentWithdrawn,
  kCategoryNotInScope,
};

// "unknown_user", "user_inactive", ..., "category_not_in_scope"; "none" for kNone.
std::string_view to_string(DenyReason r);

struct Decision {
  bool allowed = false;
  DenyReason reason = DenyReason::kNoConsent;
  std::string text;  // for the user and the audit record; names no patient data

  static Decision allow();
  static Decision deny(DenyReason r);
};

// One question of a decide_many() call.
struct DecisionQuery {
  PatientRef patient;
  std::string source_facility;
  Category category = Category::kDemographics;
};

class Decider {
 public:
  explicit Decider(pg::Pool& pool) : pool_(pool) {}

  Decision decide(const UserContext& user, const PatientRef& patient,
                  std::string_view source_facility, Category category, TimePoint now);
  // The same inside a caller's transaction (e.g. decide + audit append in one commit).
  static Decision decide_in(pg::Tx& tx, const UserContext& user, const PatientRef& patient,
                            std::string_view source_facility, Category category, TimePoint now);
  // One decision per query, in the order of `queries`, read in one statement (a view of a
  // person at 5 facilities x 9 categories is one round trip instead of 45).
  std::vector<Decision> decide_many(const UserContext& user,
                                    const std::vector<DecisionQuery>& queries, TimePoint now);
  static std::vector<Decision> decide_many_in(pg::Tx& tx, const UserContext& user,
                                              const std::vector<DecisionQuery>& queries,
                                              TimePoint now);

 private:
  pg::Pool& pool_;
};

}  // namespace hareyaka::consent
