#include "portal/audit/atna.hpp"

#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>

#include <memory>

namespace hareyaka::audit {
namespace {

// Evaluates an XPath over the message and returns the string value ("" when absent).
std::string xpath(const std::string& xml, const std::string& expr) {
  std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)> doc(
      xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "audit.xml", nullptr,
                    XML_PARSE_NONET),
      xmlFreeDoc);
  if (!doc)
    return "<unparseable>";
  std::unique_ptr<xmlXPathContext, decltype(&xmlXPathFreeContext)> ctx(
      xmlXPathNewContext(doc.get()), xmlXPathFreeContext);
  std::unique_ptr<xmlXPathObject, decltype(&xmlXPathFreeObject)> obj(
      xmlXPathEvalExpression(reinterpret_cast<const xmlChar*>(("string(" + expr + ")").c_str()),
                             ctx.get()),
      xmlXPathFreeObject);
  if (!obj || !obj->stringval)
    return "";
  return reinterpret_cast<const char*>(obj->stringval);
}

AuditRecord sample() {
  AuditRecord r;
  r.seq = 7;
  r.at = hpd::from_us(1764000000123456);  // 2025-11-24T16:00:00.123456Z
  r.type = EventType::kView;
  r.outcome = Outcome::kDenied;
  r.actor_user = "dr.sato";
  r.actor_profession = "doctor";
  r.actor_facility = "1.2.392.200284.33.201";
  r.patient_authority = "1.2.392.200284.33.100.1";
  r.patient_local_id = "0001234";
  r.source_facility = "1.2.392.200284.33.100";
  r.category = "lab_results";
  r.reason = "no_consent <&>";
  r.request_id = "req-1";
  return r;
}

TEST(Atna, DicomAuditMessageHasTheRequiredParts) {
  AtnaSource src{.audit_source_id = "portal-1", .enterprise_site_id = "1.2.392.200284"};
  const std::string xml = to_dicom_audit_xml(sample(), src);
  EXPECT_EQ(xpath(xml, "/AuditMessage/EventIdentification/@EventActionCode"), "R");
  EXPECT_EQ(xpath(xml, "/AuditMessage/EventIdentification/@EventOutcomeIndicator"), "4");
  EXPECT_EQ(xpath(xml, "/AuditMessage/EventIdentification/@EventDateTime"),
            "2025-11-24T16:00:00.123456Z");
  EXPECT_EQ(xpath(xml, "/AuditMessage/EventIdentification/EventID/@csd-code"), "110110");
  EXPECT_EQ(xpath(xml, "/AuditMessage/EventIdentification/EventID/@codeSystemName"), "DCM");
  EXPECT_EQ(xpath(xml, "/AuditMessage/EventIdentification/EventOutcomeDescription"),
            "no_consent <&>");  // escaped in the XML, intact after parsing
  EXPECT_EQ(xpath(xml, "/AuditMessage/ActiveParticipant[@UserIsRequestor='true']/@UserID"),
            "dr.sato");
  EXPECT_EQ(
      xpath(xml, "/AuditMessage/ActiveParticipant[@UserIsRequestor='true']/@AlternativeUserID"),
      "1.2.392.200284.33.201");
  EXPECT_EQ(
      xpath(xml, "/AuditMessage/ActiveParticipant[@UserIsRequestor='false']/RoleIDCode/@csd-code"),
      "110153");
  EXPECT_EQ(xpath(xml, "/AuditMessage/AuditSourceIdentification/@AuditSourceID"), "portal-1");
  EXPECT_EQ(xpath(xml, "/AuditMessage/ParticipantObjectIdentification/@ParticipantObjectID"),
            "0001234^^^&1.2.392.200284.33.100.1&ISO");
  EXPECT_EQ(
      xpath(xml, "/AuditMessage/ParticipantObjectIdentification/@ParticipantObjectTypeCodeRole"),
      "1");
  EXPECT_EQ(xpath(xml,
                  "/AuditMessage/ParticipantObjectIdentification/"
                  "ParticipantObjectDetail[@type='category']/@value"),
            "bGFiX3Jlc3VsdHM=");  // base64("lab_results")
  // Element order of the DICOM schema: event, participants, source, objects.
  EXPECT_EQ(xpath(xml, "name(/AuditMessage/*[1])"), "EventIdentification");
  EXPECT_EQ(xpath(xml, "name(/AuditMessage/*[last()])"), "ParticipantObjectIdentification");
  EXPECT_EQ(xpath(xml, "name(/AuditMessage/AuditSourceIdentification/preceding-sibling::*[1])"),
            "ActiveParticipant");
}

TEST(Atna, LoginCodesAndNoPatientObject) {
  AuditRecord r;
  r.type = EventType::kLogin;
  r.outcome = Outcome::kSuccess;
  r.actor_user = "ns.kato";
  r.at = hpd::from_us(0);
  const std::string xml = to_dicom_audit_xml(r, {});
  EXPECT_EQ(xpath(xml, "/AuditMessage/EventIdentification/EventID/@csd-code"), "110114");
  EXPECT_EQ(xpath(xml, "/AuditMessage/EventIdentification/EventTypeCode/@csd-code"), "110122");
  EXPECT_EQ(xpath(xml, "/AuditMessage/EventIdentification/@EventOutcomeIndicator"), "0");
  EXPECT_EQ(xpath(xml, "count(/AuditMessage/ParticipantObjectIdentification)"), "0");
}

// A data manager's upload (#17): DICOM Import, action Create; no patient object (an upload
// names no patient), the facility as the source participant.
TEST(Atna, UploadIsAnImportWithoutAPatient) {
  AuditRecord r;
  r.type = EventType::kUpload;
  r.outcome = Outcome::kFailure;
  r.actor_user = "dm.hosted";
  r.actor_profession = "data_manager";
  r.actor_facility = "1.2.392.200284.33.4100001";
  r.source_facility = "1.2.392.200284.33.4100001";
  r.reason = "gateway_422";
  r.at = hpd::from_us(0);
  EXPECT_EQ(to_string(EventType::kUpload), "upload");
  EXPECT_EQ(parse_event_type("upload"), EventType::kUpload);
  const std::string xml = to_dicom_audit_xml(r, {});
  EXPECT_EQ(xpath(xml, "/AuditMessage/EventIdentification/EventID/@csd-code"), "110107");
  EXPECT_EQ(xpath(xml, "/AuditMessage/EventIdentification/@EventActionCode"), "C");
  EXPECT_EQ(xpath(xml, "/AuditMessage/EventIdentification/@EventOutcomeIndicator"), "8");
  EXPECT_EQ(xpath(xml, "count(/AuditMessage/ParticipantObjectIdentification)"), "0");
}

TEST(Atna, SyslogFramingCountsOctets) {
  AtnaSource src{.hostname = "portal1.example.jp", .proc_id = "4242"};
  const std::string msg = to_syslog_message(sample(), src);
  EXPECT_EQ(msg.rfind("<85>1 2025-11-24T16:00:00.123456Z portal1.example.jp hareyaka-portal 4242 "
                      "IHE+RFC-3881 - \xEF\xBB\xBF<?xml",
                      0),
            0u)
      << msg.substr(0, 120);
  const std::string framed = frame_octet_counted(msg);
  const auto space = framed.find(' ');
  EXPECT_EQ(std::stoul(framed.substr(0, space)), msg.size());
  EXPECT_EQ(framed.substr(space + 1), msg);
  // Octets, not characters: multi-byte UTF-8 counts per byte.
  EXPECT_EQ(frame_octet_counted("患者"), "6 患者");
}

}  // namespace
}  // namespace hareyaka::audit
