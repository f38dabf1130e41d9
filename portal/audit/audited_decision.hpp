// The per-request primitive of the viewer API: decide, and record the decision in the audit
// log, in one transaction, so there is no disclosure without its record and no record of a
// decision that was not taken. The decision is read first; the audit chain head is locked
// last, so the lock is held only until commit.
#pragma once

#include <string_view>

#include "common/pg.hpp"
#include "consent/decision.hpp"
#include "portal/audit/audit_record.hpp"

namespace hareyaka::audit {

struct AccessRequest {
  consent::UserContext user;
  consent::PatientRef patient;  // the patient at the source facility
  std::string source_facility;
  consent::Category category = consent::Category::kDemographics;
  std::string person_id;  // the PIX person, when known
  std::string request_id;
  EventType event = EventType::kView;  // kView for a read, kSearch for a list/search
};

// The audit event for a decision: outcome success/denied, reason = the deny reason code.
AuditEvent decision_event(const AccessRequest& r, const consent::Decision& d);

struct AuditedDecision {
  consent::Decision decision;
  std::int64_t audit_seq = 0;
};

AuditedDecision decide_and_audit(pg::Pool& pool, const AccessRequest& r, TimePoint now);
AuditedDecision decide_and_audit_in(pg::Tx& tx, const AccessRequest& r, TimePoint now);

}  // namespace hareyaka::audit
