// A facility-level consent (同意): the patient, as registered at disclosing facility D under
// (assigning authority, local id), allows viewing facility V - or every participating
// facility - to see D's records, in all categories or a subset, from a start until an
// optional expiry, unless withdrawn. Consents are never edited or deleted: a change is a
// withdrawal plus a new consent, and both stay in the history.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "consent/category.hpp"
#include "hpd/time.hpp"

namespace hareyaka::consent {

using hpd::TimePoint;

// A patient id as issued by one facility's EMR.
struct PatientRef {
  std::string authority;  // assigning-authority OID (hpd::patient_id_domain of the facility)
  std::string local_id;

  auto operator<=>(const PatientRef&) const = default;
};

struct NewConsent {
  PatientRef patient;
  std::optional<std::string> person_id;        // the PIX person, when known
  std::string source_facility;                 // D, the disclosing facility
  std::optional<std::string> viewer_facility;  // V; std::nullopt: every participating facility
  // Instead of V: a peer community (another regional network, by its homeCommunityId) that
  // may discover the patient over IHE XCPD. Never implied by "every participating facility".
  std::optional<std::string> viewer_community;
  std::optional<std::set<Category>> scope;  // std::nullopt: all categories
  TimePoint starts_at;
  std::optional<TimePoint> expires_at;
  std::string registered_by;  // login id of who registered it
  std::string document_ref;   // reference to the signed consent form (scan id, paper no.)
};

enum class ConsentState { kPending, kActive, kExpired, kWithdrawn };

struct Consent : NewConsent {
  std::int64_t id = 0;
  std::optional<TimePoint> withdrawn_at;
  std::string withdrawn_by;
  std::string withdrawal_reason;
  TimePoint created_at;

  ConsentState state_at(TimePoint now) const;
  bool covers(Category c) const { return !scope || scope->count(c) > 0; }
};

std::string_view to_string(ConsentState s);

struct ConsentHistoryEntry {
  std::int64_t consent_id = 0;
  std::string action;  // "given" or "withdrawn"
  TimePoint at;
  std::string actor;
  std::string detail;
};

// A patient a viewing facility may list: some live consent covers it.
struct VisiblePatient {
  PatientRef patient;
};

}  // namespace hareyaka::consent
