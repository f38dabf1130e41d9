#include "portal/viewer/viewer_access.hpp"

#include <charconv>

#include "common/error.hpp"

namespace hareyaka::portal {

std::int64_t person_id_of(const http::Request& req) {
  const std::string& text = req.param("person_id");
  std::int64_t id = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || p != text.data() + text.size() || id <= 0) {
    throw Error(ErrorCode::kNotFound, "no such person");
  }
  return id;
}

consent::UserContext user_context(const Caller& c) {
  return {.user_id = c.user.id,
          .login_id = c.user.login_id,
          .profession = c.user.profession,
          .facility_oid = c.user.facility_oid};
}

audit::AuditEvent view_event(const Caller& c, const PersonView& p, const PersonIdentity& i,
                             std::string_view category, audit::Outcome outcome, std::string reason,
                             const std::string& request_id, std::string detail) {
  audit::AuditEvent e;
  e.type = audit::EventType::kView;
  e.outcome = outcome;
  e.actor_user = c.user.login_id;
  e.actor_profession = std::string(hpd::to_string(c.user.profession));
  e.actor_facility = c.user.facility_oid;
  e.person_id = std::to_string(p.person_id);
  e.patient_authority = i.authority;
  e.patient_local_id = i.local_id;
  e.source_facility = i.facility_oid;
  e.category = std::string(category);
  e.reason = std::move(reason);
  e.detail = std::move(detail);
  e.request_id = request_id;
  return e;
}

void audit_view(WebServices& sv, const Caller& c, const PersonView& p, const PersonIdentity& i,
                std::string_view category, audit::Outcome outcome, std::string reason,
                const std::string& request_id, std::string detail) {
  sv.audit.append(
      view_event(c, p, i, category, outcome, std::move(reason), request_id, std::move(detail)),
      hpd::Clock::now());
}

}  // namespace hareyaka::portal
