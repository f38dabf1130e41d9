#include "consent/decision.hpp"

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace hareyaka::consent {
namespace {

// One round trip. Each sub-select reads one row by primary key (users, facilities,
// access_policy) or one patient's handful of consents (consents_patient index).
constexpr pg::Statement kDecide{
    "consent_decide",
    "WITH c AS ("
    "  SELECT starts_at <= hy_ts($7) AS started,"
    "         (expires_at IS NOT NULL AND expires_at <= hy_ts($7)) AS expired,"
    "         (withdrawn_at IS NOT NULL AND withdrawn_at <= hy_ts($7)) AS withdrawn,"
    "         (scope IS NULL OR $6 = ANY (scope)) AS covers"
    "  FROM consents WHERE patient_authority = $4 AND patient_local_id = $5"
    "    AND source_facility = $3 AND viewer_key IN ($2, '*'))"
    "SELECT"
    " (SELECT status FROM users WHERE id = $1),"
    " (SELECT profession FROM users WHERE id = $1),"
    " (SELECT facility_oid FROM users WHERE id = $1),"
    " (SELECT status FROM facilities WHERE oid = $2),"
    " (SELECT views FROM facilities WHERE oid = $2),"
    " (SELECT status FROM facilities WHERE oid = $3),"
    " (SELECT discloses FROM facilities WHERE oid = $3),"
    " (SELECT p.allowed FROM access_policy p JOIN facilities f ON f.oid = $2"
    "   WHERE p.profession = $8 AND p.facility_kind = f.kind AND p.category = $6),"
    " coalesce(bool_or(started AND NOT expired AND NOT withdrawn AND covers), false),"
    " coalesce(bool_or(started AND NOT expired AND NOT withdrawn), false),"
    " coalesce(bool_or(withdrawn), false),"
    " coalesce(bool_or(expired AND NOT withdrawn), false),"
    " coalesce(bool_or(NOT started AND NOT withdrawn), false) "
    "FROM c"};

// decide_many: the same columns as kDecide (after the query's index), one row per query.
// The user, the viewing facility and its kind are read once; the source facility by primary
// key and the consents by the consents_patient index, per query.
constexpr pg::Statement kDecideMany{
    "consent_decide_many",
    "WITH q AS ("
    "  SELECT * FROM jsonb_to_recordset($3::jsonb) AS q(i int, a text, l text, s text, c text)),"
    " u AS (SELECT status, profession, facility_oid FROM users WHERE id = $1),"
    " v AS (SELECT status, views, kind FROM facilities WHERE oid = $2) "
    "SELECT q.i,"
    " (SELECT status FROM u), (SELECT profession FROM u), (SELECT facility_oid FROM u),"
    " (SELECT status FROM v), (SELECT views FROM v),"
    " (SELECT status FROM facilities WHERE oid = q.s),"
    " (SELECT discloses FROM facilities WHERE oid = q.s),"
    " (SELECT p.allowed FROM access_policy p JOIN v ON true"
    "   WHERE p.profession = $5 AND p.facility_kind = v.kind AND p.category = q.c),"
    " k.* "
    "FROM q CROSS JOIN LATERAL ("
    "  SELECT"
    "   coalesce(bool_or(started AND NOT expired AND NOT withdrawn AND covers), false),"
    "   coalesce(bool_or(started AND NOT expired AND NOT withdrawn), false),"
    "   coalesce(bool_or(withdrawn), false),"
    "   coalesce(bool_or(expired AND NOT withdrawn), false),"
    "   coalesce(bool_or(NOT started AND NOT withdrawn), false)"
    "  FROM (SELECT starts_at <= hy_ts($4) AS started,"
    "         (expires_at IS NOT NULL AND expires_at <= hy_ts($4)) AS expired,"
    "         (withdrawn_at IS NOT NULL AND withdrawn_at <= hy_ts($4)) AS withdrawn,"
    "         (scope IS NULL OR q.c = ANY (scope)) AS covers"
    "        FROM consents WHERE patient_authority = q.a AND patient_local_id = q.l"
    "          AND source_facility = q.s AND viewer_key IN ($2, '*')) c) k "
    "ORDER BY q.i"};

}  // namespace

std::string_view to_string(DenyReason r) {
  switch (r) {
    case DenyReason::kNone:
      return "none";
    case DenyReason::kUnknownUser:
      return "unknown_user";
    case DenyReason::kUserInactive:
      return "user_inactive";
    case DenyReason::kUserChanged:
      return "user_changed";
    case DenyReason::kViewerFacilityInactive:
      return "viewer_facility_inactive";
    case DenyReason::kViewerFacilityNotViewing:
      return "viewer_facility_not_viewing";
    case DenyReason::kSourceFacilityUnknown:
      return "source_facility_unknown";
    case DenyReason::kSourceFacilityInactive:
      return "source_facility_inactive";
    case DenyReason::kSourceFacilityNotDisclosing:
      return "source_facility_not_disclosing";
    case DenyReason::kRoleNotPermitted:
      return "role_not_permitted";
    case DenyReason::kNoConsent:
      return "no_consent";
    case DenyReason::kConsentNotYetValid:
      return "consent_not_yet_valid";
    case DenyReason::kConsentExpired:
      return "consent_expired";
    case DenyReason::kConsentWithdrawn:
      return "consent_withdrawn";
    case DenyReason::kCategoryNotInScope:
      return "category_not_in_scope";
  }
  return "unknown";
}

namespace {

const char* text_of(DenyReason r) {
  switch (r) {
    case DenyReason::kNone:
      return "allowed";
    case DenyReason::kUnknownUser:
      return "unknown user";
    case DenyReason::kUserInactive:
      return "the user account is not active";
    case DenyReason::kUserChanged:
      return "the user's profession or facility changed since login; log in again";
    case DenyReason::kViewerFacilityInactive:
      return "your facility is not active in the network";
    case DenyReason::kViewerFacilityNotViewing:
      return "your facility is not registered as a viewing facility";
    case DenyReason::kSourceFacilityUnknown:
      return "the source facility is not registered";
    case DenyReason::kSourceFacilityInactive:
      return "the source facility is not active";
    case DenyReason::kSourceFacilityNotDisclosing:
      return "the source facility does not disclose records";
    case DenyReason::kRoleNotPermitted:
      return "your profession at your kind of facility may not see this category";
    case DenyReason::kNoConsent:
      return "the patient has not consented to your facility seeing this facility's records";
    case DenyReason::kConsentNotYetValid:
      return "the patient's consent has not started yet";
    case DenyReason::kConsentExpired:
      return "the patient's consent has expired";
    case DenyReason::kConsentWithdrawn:
      return "the patient withdrew consent";
    case DenyReason::kCategoryNotInScope:
      return "the patient's consent does not cover this category";
  }
  return "denied";
}

}  // namespace

Decision Decision::allow() {
  return {true, DenyReason::kNone, text_of(DenyReason::kNone)};
}
Decision Decision::deny(DenyReason r) {
  return {false, r, text_of(r)};
}

Decision Decider::decide(const UserContext& user, const PatientRef& patient,
                         std::string_view source_facility, Category category, TimePoint now) {
  // One statement reads one snapshot: no BEGIN/COMMIT round trips needed.
  return pg::transact(
      pool_,
      [&](pg::Tx& tx) { return decide_in(tx, user, patient, source_facility, category, now); },
      {.isolation = pg::Isolation::kAutocommit});
}

namespace {

// Reads one row of kDecide (b = 0) or kDecideMany (b = 1): the checks in the documented order.
Decision interpret(const pqxx::row& r, int b, const UserContext& user) {
  using R = DenyReason;
  if (r[b + 0].is_null())
    return Decision::deny(R::kUnknownUser);
  if (r[b + 0].as<std::string>() != "active")
    return Decision::deny(R::kUserInactive);
  if (r[b + 1].as<std::string>() != hpd::to_string(user.profession) ||
      r[b + 2].as<std::string>() != user.facility_oid) {
    return Decision::deny(R::kUserChanged);
  }
  if (r[b + 3].is_null() || r[b + 3].as<std::string>() != "active") {
    return Decision::deny(R::kViewerFacilityInactive);
  }
  if (!r[b + 4].as<bool>())
    return Decision::deny(R::kViewerFacilityNotViewing);
  if (r[b + 5].is_null())
    return Decision::deny(R::kSourceFacilityUnknown);
  if (r[b + 5].as<std::string>() != "active")
    return Decision::deny(R::kSourceFacilityInactive);
  if (!r[b + 6].as<bool>())
    return Decision::deny(R::kSourceFacilityNotDisclosing);
  if (r[b + 7].is_null() || !r[b + 7].as<bool>())
    return Decision::deny(R::kRoleNotPermitted);
  if (r[b + 8].as<bool>())
    return Decision::allow();
  if (r[b + 9].as<bool>())
    return Decision::deny(R::kCategoryNotInScope);
  if (r[b + 10].as<bool>())
    return Decision::deny(R::kConsentWithdrawn);
  if (r[b + 11].as<bool>())
    return Decision::deny(R::kConsentExpired);
  if (r[b + 12].as<bool>())
    return Decision::deny(R::kConsentNotYetValid);
  return Decision::deny(R::kNoConsent);
}

}  // namespace

Decision Decider::decide_in(pg::Tx& tx, const UserContext& user, const PatientRef& patient,
                            std::string_view source_facility, Category category, TimePoint now) {
  auto res = tx.exec(kDecide, user.user_id, user.facility_oid, std::string(source_facility),
                     patient.authority, patient.local_id, std::string(to_string(category)),
                     hpd::to_us(now), std::string(hpd::to_string(user.profession)));
  return interpret(res[0], 0, user);
}

std::vector<Decision> Decider::decide_many(const UserContext& user,
                                           const std::vector<DecisionQuery>& queries,
                                           TimePoint now) {
  if (queries.empty())
    return {};
  return pg::transact(pool_, [&](pg::Tx& tx) { return decide_many_in(tx, user, queries, now); },
                      {.isolation = pg::Isolation::kAutocommit});
}

std::vector<Decision> Decider::decide_many_in(pg::Tx& tx, const UserContext& user,
                                              const std::vector<DecisionQuery>& queries,
                                              TimePoint now) {
  if (queries.empty())
    return {};
  nlohmann::json rows = nlohmann::json::array();
  for (std::size_t i = 0; i < queries.size(); ++i) {
    const auto& q = queries[i];
    rows.push_back({{"i", i},
                    {"a", q.patient.authority},
                    {"l", q.patient.local_id},
                    {"s", q.source_facility},
                    {"c", std::string(to_string(q.category))}});
  }
  auto res = tx.exec(kDecideMany, user.user_id, user.facility_oid, rows.dump(), hpd::to_us(now),
                     std::string(hpd::to_string(user.profession)));
  std::vector<Decision> out(queries.size(), Decision::deny(DenyReason::kNoConsent));
  std::vector<bool> seen(queries.size(), false);
  for (const auto& r : res) {
    const auto i = r[0].as<std::size_t>();
    if (i < out.size() && !seen[i]) {
      out[i] = interpret(r, 1, user);
      seen[i] = true;
    }
  }
  for (bool s : seen) {
    if (!s)
      throw std::logic_error("decide_many: a query got no answer");
  }
  return out;
}

}  // namespace hareyaka::consent
