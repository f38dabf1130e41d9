// IHE ATNA export formats: the DICOM audit message (DICOM PS3.15 A.5, the successor of
// RFC 3881) for one audit record, wrapped in an RFC 5424 syslog message and framed with
// RFC 5425 octet counting for the TLS transport. Pure functions; the sender (TLS, retry,
// cursor) lives with the portal daemon and uses AuditLog::fetch_after/advance_cursor.
//
// Mapping (EventID / EventTypeCode, codeSystemName "DCM"):
//   login           110114 User Authentication / 110122 Login,  action E
//   logout          110114 User Authentication / 110123 Logout, action E
//   search          110112 Query,                                action E
//   view            110110 Patient Record,                       action R
//   consent_change  110110 Patient Record,                       action U
//   policy_change   110113 Security Alert / 110136 Security Roles Changed,        action U
//   admin_action    110113 Security Alert / 110137 User Security Attributes Changed, action U
//   upload          110107 Import,                               action C
// Outcome: success 0, denied 4 (minor failure), failure 8 (serious failure); the reason goes
// to EventOutcomeDescription. The requesting user is an ActiveParticipant (UserID = login
// id, AlternativeUserID = facility OID, RoleIDCode = profession); the source facility is a
// second ActiveParticipant (role 110153 Source Role ID). The patient is a
// ParticipantObjectIdentification (type 1 person, role 1 patient, ID type 2 "Patient
// Number", ID in HL7 CX form local^^^&authority&ISO) with the category as a detail.
#pragma once

#include <string>
#include <string_view>

#include "portal/audit/audit_record.hpp"

namespace hareyaka::audit {

struct AtnaSource {
  std::string audit_source_id = "hareyaka-portal";  // this portal node
  std::string enterprise_site_id;                   // the network (e.g. its root OID)
  std::string hostname = "-";                       // syslog HOSTNAME (FQDN or IP)
  std::string app_name = "hareyaka-portal";
  std::string proc_id = "-";
};

std::string to_dicom_audit_xml(const AuditRecord& r, const AtnaSource& source);

// RFC 5424: <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - BOM MSG, with PRI 85
// (facility 10 security/authorization, severity 5 notice), MSGID "IHE+RFC-3881".
std::string to_syslog_message(const AuditRecord& r, const AtnaSource& source);

// RFC 5425 octet counting: "<length> <message>".
std::string frame_octet_counted(std::string_view syslog_message);

// RFC 3339 UTC time with microseconds, e.g. 2026-11-24T02:10:00.123456Z.
std::string format_utc(TimePoint t);

}  // namespace hareyaka::audit
