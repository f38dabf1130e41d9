#include "portal/audit/audited_decision.hpp"

#include "portal/audit/audit_log.hpp"

namespace hareyaka::audit {

AuditEvent decision_event(const AccessRequest& r, const consent::Decision& d) {
  AuditEvent e;
  e.type = r.event;
  e.outcome = d.allowed ? Outcome::kSuccess : Outcome::kDenied;
  e.actor_user = r.user.login_id;
  e.actor_profession = std::string(hpd::to_string(r.user.profession));
  e.actor_facility = r.user.facility_oid;
  e.person_id = r.person_id;
  e.patient_authority = r.patient.authority;
  e.patient_local_id = r.patient.local_id;
  e.source_facility = r.source_facility;
  e.category = std::string(consent::to_string(r.category));
  e.reason = d.allowed ? "" : std::string(consent::to_string(d.reason));
  e.request_id = r.request_id;
  return e;
}

AuditedDecision decide_and_audit_in(pg::Tx& tx, const AccessRequest& r, TimePoint now) {
  AuditedDecision out;
  out.decision =
      consent::Decider::decide_in(tx, r.user, r.patient, r.source_facility, r.category, now);
  out.audit_seq = AuditLog::append_in(tx, decision_event(r, out.decision), now).seq;
  return out;
}

AuditedDecision decide_and_audit(pg::Pool& pool, const AccessRequest& r, TimePoint now) {
  return pg::transact(pool, [&](pg::Tx& tx) { return decide_and_audit_in(tx, r, now); });
}

}  // namespace hareyaka::audit
