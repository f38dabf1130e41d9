#include "portal/audit/audit_record.hpp"

#include <openssl/evp.h>

#include <array>

#include "common/digest.hpp"

namespace hareyaka::audit {
namespace {

constexpr std::array kEventTypes = {EventType::kLogin,         EventType::kLogout,
                                    EventType::kSearch,        EventType::kView,
                                    EventType::kConsentChange, EventType::kPolicyChange,
                                    EventType::kAdminAction,   EventType::kUpload};

void field(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out += '=';
  out += std::to_string(value.size());
  out += ':';
  out.append(value);
  out += '\n';
}

}  // namespace

std::string_view to_string(EventType e) {
  switch (e) {
    case EventType::kLogin:
      return "login";
    case EventType::kLogout:
      return "logout";
    case EventType::kSearch:
      return "search";
    case EventType::kView:
      return "view";
    case EventType::kConsentChange:
      return "consent_change";
    case EventType::kPolicyChange:
      return "policy_change";
    case EventType::kAdminAction:
      return "admin_action";
    case EventType::kUpload:
      return "upload";
  }
  return "unknown";
}

std::optional<EventType> parse_event_type(std::string_view s) {
  for (auto e : kEventTypes) {
    if (to_string(e) == s)
      return e;
  }
  return std::nullopt;
}

std::string_view to_string(Outcome o) {
  switch (o) {
    case Outcome::kSuccess:
      return "success";
    case Outcome::kDenied:
      return "denied";
    case Outcome::kFailure:
      return "failure";
  }
  return "unknown";
}

std::optional<Outcome> parse_outcome(std::string_view s) {
  for (auto o : {Outcome::kSuccess, Outcome::kDenied, Outcome::kFailure}) {
    if (to_string(o) == s)
      return o;
  }
  return std::nullopt;
}

std::string canonical_form(const AuditRecord& r) {
  std::string out = "hareyaka-audit-v1\n";
  field(out, "seq", std::to_string(r.seq));
  field(out, "at_us", std::to_string(hpd::to_us(r.at)));
  field(out, "event_type", to_string(r.type));
  field(out, "outcome", to_string(r.outcome));
  field(out, "actor_user", r.actor_user);
  field(out, "actor_profession", r.actor_profession);
  field(out, "actor_facility", r.actor_facility);
  field(out, "person_id", r.person_id);
  field(out, "patient_authority", r.patient_authority);
  field(out, "patient_local_id", r.patient_local_id);
  field(out, "source_facility", r.source_facility);
  field(out, "category", r.category);
  field(out, "reason", r.reason);
  field(out, "detail", r.detail);
  field(out, "request_id", r.request_id);
  field(out, "prev_hash", r.prev_hash);
  return out;
}

std::string compute_hash(const AuditRecord& r) {
  return sha256_hex(canonical_form(r));
}

}  // namespace hareyaka::audit
