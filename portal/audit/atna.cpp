#include "portal/audit/atna.hpp"

#include <libxml/xmlwriter.h>

#include <cstdio>
#include <ctime>
#include <memory>
#include <optional>

#include "common/error.hpp"
#include "proto/encoding/base64.hpp"

namespace hareyaka::audit {
namespace {

struct Code {
  const char* code;
  const char* meaning;
};

struct EventCodes {
  Code id;
  std::optional<Code> type;
  const char* action;
};

EventCodes codes_for(EventType e, Outcome o) {
  switch (e) {
    case EventType::kLogin:
      return {{"110114", "User Authentication"}, Code{"110122", "Login"}, "E"};
    case EventType::kLogout:
      return {{"110114", "User Authentication"}, Code{"110123", "Logout"}, "E"};
    case EventType::kSearch:
      return {{"110112", "Query"}, std::nullopt, "E"};
    case EventType::kView:
      return {{"110110", "Patient Record"}, std::nullopt, "R"};
    case EventType::kConsentChange:
      return {{"110110", "Patient Record"}, std::nullopt, "U"};
    case EventType::kPolicyChange:
      return {{"110113", "Security Alert"}, Code{"110136", "Security Roles Changed"}, "U"};
    case EventType::kAdminAction:
      return {
          {"110113", "Security Alert"}, Code{"110137", "User Security Attributes Changed"}, "U"};
    case EventType::kUpload:
      return {{"110107", "Import"}, std::nullopt, "C"};
  }
  return {{"110113", "Security Alert"}, std::nullopt, "E"};
}

const char* outcome_indicator(Outcome o) {
  switch (o) {
    case Outcome::kSuccess:
      return "0";
    case Outcome::kDenied:
      return "4";
    case Outcome::kFailure:
      return "8";
  }
  return "8";
}

// libxml2's writer, wrapped once: any failure is a kInternal Error.
class Writer {
 public:
  Writer() {
    buf_ = xmlBufferCreate();
    w_ = buf_ ? xmlNewTextWriterMemory(buf_, 0) : nullptr;
    if (!w_)
      fail();
  }
  ~Writer() {
    if (w_)
      xmlFreeTextWriter(w_);
    if (buf_)
      xmlBufferFree(buf_);
  }
  void start_doc() { check(xmlTextWriterStartDocument(w_, "1.0", "UTF-8", nullptr)); }
  void start(const char* name) { check(xmlTextWriterStartElement(w_, x(name))); }
  void attr(const char* name, std::string_view value) {
    check(xmlTextWriterWriteAttribute(w_, x(name), x(std::string(value).c_str())));
  }
  void end() { check(xmlTextWriterEndElement(w_)); }
  void text(std::string_view s) { check(xmlTextWriterWriteString(w_, x(std::string(s).c_str()))); }
  void code(const char* element, const Code& c, const char* system = "DCM") {
    start(element);
    attr("csd-code", c.code);
    attr("codeSystemName", system);
    attr("originalText", c.meaning);
    end();
  }
  std::string finish() {
    check(xmlTextWriterEndDocument(w_));
    xmlFreeTextWriter(w_);
    w_ = nullptr;
    return std::string(reinterpret_cast<const char*>(xmlBufferContent(buf_)),
                       static_cast<std::size_t>(xmlBufferLength(buf_)));
  }

 private:
  static const xmlChar* x(const char* s) { return reinterpret_cast<const xmlChar*>(s); }
  static void fail() {
    throw Error(ErrorCode::kInternal, "audit export failed", "libxml2 writer failed");
  }
  static void check(int rc) {
    if (rc < 0)
      fail();
  }
  xmlBufferPtr buf_ = nullptr;
  xmlTextWriterPtr w_ = nullptr;
};

}  // namespace

std::string format_utc(TimePoint t) {
  const auto us = hpd::to_us(t);
  std::time_t secs = static_cast<std::time_t>(us / 1000000);
  long frac = static_cast<long>(us % 1000000);
  if (frac < 0) {
    frac += 1000000;
    --secs;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
  return buf;
}

std::string to_dicom_audit_xml(const AuditRecord& r, const AtnaSource& source) {
  const EventCodes codes = codes_for(r.type, r.outcome);
  Writer w;
  w.start_doc();
  w.start("AuditMessage");

  w.start("EventIdentification");
  w.attr("EventActionCode", codes.action);
  w.attr("EventDateTime", format_utc(r.at));
  w.attr("EventOutcomeIndicator", outcome_indicator(r.outcome));
  w.code("EventID", codes.id);
  if (codes.type)
    w.code("EventTypeCode", *codes.type);
  if (!r.reason.empty()) {
    w.start("EventOutcomeDescription");
    w.text(r.reason);
    w.end();
  }
  w.end();

  if (!r.actor_user.empty()) {
    w.start("ActiveParticipant");
    w.attr("UserID", r.actor_user);
    if (!r.actor_facility.empty())
      w.attr("AlternativeUserID", r.actor_facility);
    w.attr("UserIsRequestor", "true");
    if (!r.actor_profession.empty()) {
      w.start("RoleIDCode");
      w.attr("csd-code", r.actor_profession);
      w.attr("codeSystemName", "hareyaka-profession");
      w.attr("originalText", r.actor_profession);
      w.end();
    }
    w.end();
  }
  if (!r.source_facility.empty()) {
    w.start("ActiveParticipant");
    w.attr("UserID", r.source_facility);
    w.attr("UserIsRequestor", "false");
    w.code("RoleIDCode", {"110153", "Source Role ID"});
    w.end();
  }

  w.start("AuditSourceIdentification");
  if (!source.enterprise_site_id.empty())
    w.attr("AuditEnterpriseSiteID", source.enterprise_site_id);
  w.attr("AuditSourceID", source.audit_source_id);
  w.start("AuditSourceTypeCode");
  w.attr("csd-code", "4");
  w.attr("codeSystemName", "DCM");
  w.attr("originalText", "Application Server");
  w.end();
  w.end();

  if (!r.patient_local_id.empty()) {
    w.start("ParticipantObjectIdentification");
    w.attr("ParticipantObjectID", r.patient_local_id + "^^^&" + r.patient_authority + "&ISO");
    w.attr("ParticipantObjectTypeCode", "1");
    w.attr("ParticipantObjectTypeCodeRole", "1");
    w.start("ParticipantObjectIDTypeCode");
    w.attr("csd-code", "2");
    w.attr("codeSystemName", "RFC-3881");
    w.attr("originalText", "Patient Number");
    w.end();
    if (!r.category.empty()) {
      w.start("ParticipantObjectDetail");
      w.attr("type", "category");
      w.attr("value", base64_encode(r.category));
      w.end();
    }
    if (!r.request_id.empty()) {
      w.start("ParticipantObjectDetail");
      w.attr("type", "request-id");
      w.attr("value", base64_encode(r.request_id));
      w.end();
    }
    w.end();
  }
  w.end();  // AuditMessage
  return w.finish();
}

std::string to_syslog_message(const AuditRecord& r, const AtnaSource& source) {
  auto field = [](const std::string& s) { return s.empty() ? std::string("-") : s; };
  std::string out = "<85>1 " + format_utc(r.at) + " " + field(source.hostname) + " " +
                    field(source.app_name) + " " + field(source.proc_id) + " IHE+RFC-3881 - ";
  out += "\xEF\xBB\xBF";  // RFC 5424 MSG-UTF8 starts with a BOM
  out += to_dicom_audit_xml(r, source);
  return out;
}

std::string frame_octet_counted(std::string_view msg) {
  return std::to_string(msg.size()) + " " + std::string(msg);
}

}  // namespace hareyaka::audit
