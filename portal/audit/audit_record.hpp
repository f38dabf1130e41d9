// One audit record and its place in the hash chain. The hash is SHA-256 (lower-case hex)
// over the canonical serialisation:
//
//   "hareyaka-audit-v1\n" then, for each field in this fixed order,
//   <name> "=" <decimal byte length> ":" <bytes> "\n"
//   seq at_us event_type outcome actor_user actor_profession actor_facility person_id
//   patient_authority patient_local_id source_facility category reason detail request_id
//   prev_hash
//
// Length prefixes make the form unambiguous whatever the values contain; at_us is the time
// in microseconds since the Unix epoch. The first record's prev_hash is 64 '0's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hpd/time.hpp"

namespace hareyaka::audit {

using hpd::TimePoint;

enum class EventType {
  kLogin,          // password/TOTP or HPKI login, success or failure
  kLogout,         // explicit logout or session expiry
  kSearch,         // patient list or person search
  kView,           // a disclosure (or refused disclosure) of one category of one patient
  kConsentChange,  // consent given or withdrawn
  kPolicyChange,   // a role-policy cell edited
  kAdminAction,    // facility/user administration, unlocks, enrolment resets
  kUpload,         // a facility data manager's upload to its facility's gateway (never contents)
};
std::string_view to_string(EventType e);
std::optional<EventType> parse_event_type(std::string_view s);

enum class Outcome {
  kSuccess,
  kDenied,   // refused by the decision or a credential check
  kFailure,  // could not be done (a gateway down, bad input)
};
std::string_view to_string(Outcome o);
std::optional<Outcome> parse_outcome(std::string_view s);

// What the caller records. Empty strings are "not applicable".
struct AuditEvent {
  EventType type = EventType::kView;
  Outcome outcome = Outcome::kSuccess;
  std::string actor_user;        // login id
  std::string actor_profession;  // hpd::to_string(Profession)
  std::string actor_facility;    // facility OID
  std::string person_id;         // PIX person id
  std::string patient_authority;
  std::string patient_local_id;
  std::string source_facility;  // the disclosing facility of the data
  std::string category;         // consent::to_string(Category)
  std::string reason;           // deny reason code, or what was changed
  std::string detail;  // free text without patient data (the patient is in the fields above)
  std::string request_id;
};

struct AuditRecord : AuditEvent {
  std::int64_t seq = 0;
  TimePoint at;
  std::string prev_hash;
  std::string hash;
};

constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

std::string canonical_form(const AuditRecord& r);
// SHA-256 hex of canonical_form(r) (r.hash itself is not part of it).
std::string compute_hash(const AuditRecord& r);

}  // namespace hareyaka::audit
