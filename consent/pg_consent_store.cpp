#include "consent/pg_consent_store.hpp"

#include <limits>

#include "common/error.hpp"
#include "hpd/oid.hpp"
#include "hpd/sql_null.hpp"

namespace hareyaka::consent {
namespace {

using hpd::from_us;
using hpd::to_us;

#define HY_CONSENT_COLUMNS                                                                     \
  "id, patient_authority, patient_local_id, person_id, source_facility, viewer_facility, "     \
  "array_to_string(scope, ','), hy_us(starts_at), hy_us(expires_at), hy_us(withdrawn_at), "    \
  "coalesce(withdrawn_by, ''), coalesce(withdrawal_reason, ''), registered_by, document_ref, " \
  "hy_us(created_at), viewer_community"

constexpr pg::Statement kFacilityRoles{
    "consent_facility_roles", "SELECT discloses, views, status FROM facilities WHERE oid = $1"};
constexpr pg::Statement kInsert{
    "consent_insert",
    "INSERT INTO consents (patient_authority, patient_local_id, person_id, source_facility, "
    "viewer_facility, scope, starts_at, expires_at, registered_by, document_ref, created_at, "
    "viewer_community) "
    "VALUES ($1, $2, $3, $4, $5, string_to_array($6, ','), hy_ts($7), hy_ts($8), $9, $10, "
    "hy_ts($11), $12) RETURNING " HY_CONSENT_COLUMNS};
constexpr pg::Statement kInsertHistory{
    "consent_insert_history",
    "INSERT INTO consent_history (consent_id, action, at, actor, detail) "
    "VALUES ($1, $2, hy_ts($3), $4, $5)"};
constexpr pg::Statement kWithdraw{
    "consent_withdraw",
    "UPDATE consents SET withdrawn_at = hy_ts($2), withdrawn_by = $3, withdrawal_reason = $4 "
    "WHERE id = $1 AND withdrawn_at IS NULL RETURNING id"};
constexpr pg::Statement kFind{"consent_find",
                              "SELECT " HY_CONSENT_COLUMNS " FROM consents WHERE id = $1"};
constexpr pg::Statement kListForPatient{
    "consent_list_for_patient",
    "SELECT " HY_CONSENT_COLUMNS
    " FROM consents "
    "WHERE patient_authority = $1 AND patient_local_id = $2 AND id < $3 "
    "ORDER BY id DESC LIMIT $4"};
constexpr pg::Statement kHistory{
    "consent_history",
    "SELECT id, consent_id, action, hy_us(at), actor, detail FROM consent_history "
    "WHERE consent_id = $1 AND id > $2 ORDER BY id LIMIT $3"};
constexpr pg::Statement kViewerActive{
    "consent_viewer_active",
    "SELECT 1 FROM facilities WHERE oid = $1 AND views AND status = 'active'"};
// Two bounded index range scans (this viewer, and consents for all facilities), merged,
// deduplicated and cut to the page: no scan grows with the number of consents.
constexpr pg::Statement kVisible{
    "consent_list_visible",
    "SELECT authority, local_id FROM ("
    " (SELECT patient_authority AS authority, patient_local_id AS local_id FROM consents"
    "  WHERE viewer_key = $1 AND withdrawn_at IS NULL AND starts_at <= hy_ts($2)"
    "  AND (expires_at IS NULL OR expires_at > hy_ts($2))"
    "  AND (patient_authority, patient_local_id) > ($3, $4)"
    "  ORDER BY patient_authority, patient_local_id LIMIT $5)"
    " UNION"
    " (SELECT patient_authority, patient_local_id FROM consents"
    "  WHERE viewer_key = '*' AND withdrawn_at IS NULL AND starts_at <= hy_ts($2)"
    "  AND (expires_at IS NULL OR expires_at > hy_ts($2))"
    "  AND (patient_authority, patient_local_id) > ($3, $4)"
    "  ORDER BY patient_authority, patient_local_id LIMIT $5)"
    ") v ORDER BY authority, local_id LIMIT $5"};

[[noreturn]] void unprocessable(const std::string& what) {
  throw Error(ErrorCode::kUnprocessable, what, "consent rejected: " + what);
}

std::set<Category> parse_scope(const std::string& s) {
  std::set<Category> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    auto comma = s.find(',', start);
    auto item = s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    // An unknown category in the table cannot widen anything: it is simply not a member.
    if (auto c = parse_category(item))
      out.insert(*c);
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  return out;
}

Consent from_row(const pqxx::row& r) {
  Consent c;
  c.id = r[0].as<std::int64_t>();
  c.patient.authority = r[1].as<std::string>();
  c.patient.local_id = r[2].as<std::string>();
  if (!r[3].is_null())
    c.person_id = r[3].as<std::string>();
  c.source_facility = r[4].as<std::string>();
  if (!r[5].is_null())
    c.viewer_facility = r[5].as<std::string>();
  if (!r[6].is_null())
    c.scope = parse_scope(r[6].as<std::string>());
  c.starts_at = from_us(r[7].as<std::int64_t>());
  if (!r[8].is_null())
    c.expires_at = from_us(r[8].as<std::int64_t>());
  if (!r[9].is_null())
    c.withdrawn_at = from_us(r[9].as<std::int64_t>());
  c.withdrawn_by = r[10].as<std::string>();
  c.withdrawal_reason = r[11].as<std::string>();
  c.registered_by = r[12].as<std::string>();
  c.document_ref = r[13].as<std::string>();
  c.created_at = from_us(r[14].as<std::int64_t>());
  if (!r[15].is_null())
    c.viewer_community = r[15].as<std::string>();
  return c;
}

void check_facility(pg::Tx& tx, const std::string& oid, bool disclosing, const char* field) {
  auto res = tx.exec(kFacilityRoles, oid);
  if (res.empty())
    unprocessable(std::string(field) + ": unknown facility");
  if (res[0][2].as<std::string>() != "active") {
    unprocessable(std::string(field) + ": facility is not active");
  }
  if (disclosing && !res[0][0].as<bool>()) {
    unprocessable(std::string(field) + ": facility does not disclose records");
  }
  if (!disclosing && !res[0][1].as<bool>()) {
    unprocessable(std::string(field) + ": facility does not view records");
  }
}

std::string describe(const NewConsent& c) {
  std::string d =
      "viewer=" +
      (c.viewer_community ? "community:" + *c.viewer_community : c.viewer_facility.value_or("*")) +
      " scope=";
  if (!c.scope) {
    d += "all";
  } else {
    bool first = true;
    for (auto cat : *c.scope) {
      if (!first)
        d += ',';
      d += to_string(cat);
      first = false;
    }
  }
  if (!c.document_ref.empty())
    d += " document=" + c.document_ref;
  return d;
}

}  // namespace

Consent PgConsentStore::give_in(pg::Tx& tx, const NewConsent& c, TimePoint now) {
  if (!hpd::is_valid_oid(c.patient.authority))
    unprocessable("patient.authority: not an OID");
  if (c.patient.local_id.empty() || c.patient.local_id.size() > 64) {
    unprocessable("patient.local_id: 1..64 characters");
  }
  if (c.expires_at && *c.expires_at <= c.starts_at) {
    unprocessable("expires_at: must be after starts_at");
  }
  if (c.scope && c.scope->empty())
    unprocessable("scope: empty (omit it for all categories)");
  if (c.registered_by.empty())
    unprocessable("registered_by: required");
  check_facility(tx, c.source_facility, true, "source_facility");
  if (c.viewer_facility)
    check_facility(tx, *c.viewer_facility, false, "viewer_facility");
  if (c.viewer_community) {
    if (c.viewer_facility)
      unprocessable("viewer_community: a consent names a facility or a community, not both");
    if (!hpd::is_valid_oid(*c.viewer_community))
      unprocessable("viewer_community: not an OID (the peer network's homeCommunityId)");
  }

  std::optional<std::string> scope;
  if (c.scope) {
    std::string s;
    for (auto cat : *c.scope) {
      if (!s.empty())
        s += ',';
      s += to_string(cat);
    }
    scope = s;
  }
  std::optional<std::int64_t> expires;
  if (c.expires_at)
    expires = to_us(*c.expires_at);
  auto res = tx.exec(kInsert, c.patient.authority, c.patient.local_id, hpd::or_null(c.person_id),
                     c.source_facility, hpd::or_null(c.viewer_facility), hpd::or_null(scope),
                     to_us(c.starts_at), hpd::or_null(hpd::text_of(expires)), c.registered_by,
                     c.document_ref, to_us(now), hpd::or_null(c.viewer_community));
  Consent out = from_row(res[0]);
  tx.exec(kInsertHistory, out.id, std::string("given"), to_us(now), c.registered_by, describe(c));
  return out;
}

bool PgConsentStore::withdraw_in(pg::Tx& tx, std::int64_t id, const std::string& by,
                                 const std::string& reason, TimePoint now) {
  if (tx.exec(kFind, id).empty()) {
    throw Error(ErrorCode::kNotFound, "consent not found", "withdraw of unknown consent");
  }
  if (tx.exec(kWithdraw, id, to_us(now), by, reason).empty())
    return false;
  tx.exec(kInsertHistory, id, std::string("withdrawn"), to_us(now), by, reason);
  return true;
}

Consent PgConsentStore::give(const NewConsent& c, TimePoint now) {
  return pg::transact(pool_, [&](pg::Tx& tx) { return give_in(tx, c, now); });
}

bool PgConsentStore::withdraw(std::int64_t id, const std::string& by, const std::string& reason,
                              TimePoint now) {
  return pg::transact(pool_, [&](pg::Tx& tx) { return withdraw_in(tx, id, by, reason, now); });
}

std::optional<Consent> PgConsentStore::find(std::int64_t id) {
  return pg::transact(pool_, [&](pg::Tx& tx) -> std::optional<Consent> {
    auto res = tx.exec(kFind, id);
    if (res.empty())
      return std::nullopt;
    return from_row(res[0]);
  });
}

Page<Consent> PgConsentStore::list_for_patient(const PatientRef& patient, const PageRequest& page) {
  const int limit = page.clamped_limit();
  const long long before = page.after.empty() ? std::numeric_limits<long long>::max()
                                              : hpd::decode_int_cursor(page.after);
  return pg::transact(pool_, [&](pg::Tx& tx) {
    Page<Consent> out;
    for (const auto& r :
         tx.exec(kListForPatient, patient.authority, patient.local_id, before, limit)) {
      out.items.push_back(from_row(r));
    }
    if (static_cast<int>(out.items.size()) == limit) {
      out.next = hpd::encode_int_cursor(out.items.back().id);
    }
    return out;
  });
}

Page<ConsentHistoryEntry> PgConsentStore::history(std::int64_t consent_id,
                                                  const PageRequest& page) {
  const int limit = page.clamped_limit();
  const long long after = page.after.empty() ? 0 : hpd::decode_int_cursor(page.after);
  return pg::transact(pool_, [&](pg::Tx& tx) {
    Page<ConsentHistoryEntry> out;
    long long last = 0;
    for (const auto& r : tx.exec(kHistory, consent_id, after, limit)) {
      last = r[0].as<long long>();
      out.items.push_back({r[1].as<std::int64_t>(), r[2].as<std::string>(),
                           from_us(r[3].as<std::int64_t>()), r[4].as<std::string>(),
                           r[5].as<std::string>()});
    }
    if (static_cast<int>(out.items.size()) == limit)
      out.next = hpd::encode_int_cursor(last);
    return out;
  });
}

Page<VisiblePatient> PgConsentStore::list_visible_patients(const std::string& viewer, TimePoint now,
                                                           const PageRequest& page) {
  const int limit = page.clamped_limit();
  std::pair<std::string, std::string> after;
  if (!page.after.empty())
    after = hpd::decode_pair_cursor(page.after);
  return pg::transact(pool_, [&](pg::Tx& tx) {
    Page<VisiblePatient> out;
    if (tx.exec(kViewerActive, viewer).empty())
      return out;
    for (const auto& r : tx.exec(kVisible, viewer, to_us(now), after.first, after.second, limit)) {
      out.items.push_back({{r[0].as<std::string>(), r[1].as<std::string>()}});
    }
    if (static_cast<int>(out.items.size()) == limit) {
      const auto& last = out.items.back().patient;
      out.next = hpd::encode_pair_cursor(last.authority, last.local_id);
    }
    return out;
  });
}

namespace {

// A range scan of consents_patient (authority, local_id, source_facility): the domain is the
// facility's own, so the range holds this facility's consents only.
constexpr pg::Statement kConsentedLocalIds{
    "consent_consented_local_ids",
    "SELECT DISTINCT patient_local_id FROM consents"
    " WHERE patient_authority = $2 AND patient_local_id > $3 AND source_facility = $1"
    " AND withdrawn_at IS NULL AND starts_at <= hy_ts($4)"
    " AND (expires_at IS NULL OR expires_at > hy_ts($4))"
    " ORDER BY patient_local_id LIMIT $5"};

}  // namespace

std::vector<std::string> consented_local_ids(pg::Pool& pool, const std::string& source,
                                             const std::string& authority, const std::string& after,
                                             int limit, TimePoint now) {
  return pg::transact(pool, [&](pg::Tx& tx) {
    std::vector<std::string> out;
    for (const auto& r : tx.exec(kConsentedLocalIds, source, authority, after, to_us(now), limit))
      out.push_back(r[0].as<std::string>());
    return out;
  });
}

}  // namespace hareyaka::consent
