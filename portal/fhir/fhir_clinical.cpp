#include "portal/fhir/fhir_clinical.hpp"

#include <charconv>
#include <map>

#include "common/digest.hpp"
#include "common/error.hpp"
#include "portal/viewer/viewer_access.hpp"
#include "proto/hl7v2/charset.hpp"

namespace hareyaka::fhir {
namespace {

namespace net = boost::asio;
using http::Request;
using http::Response;
using nlohmann::json;

constexpr const char* kProfile = "http://jpfhir.jp/fhir/core/StructureDefinition/";
constexpr const char* kMhdProfile =
    "https://profiles.ihe.net/ITI/MHD/StructureDefinition/IHE.MHD.Minimal.DocumentReference";

// The SS-MIX2 (HL7 v2 table 0396) coding systems and the URIs JP Core gives them; a code of
// another system keeps its code and display without a system.
std::string system_uri(const std::string& v2) {
  static const std::map<std::string, std::string> kSystems = {
      {"MDCDX2", "http://medis.or.jp/CodeSystem/master-disease-exCode"},
      {"MEDIS", "http://medis.or.jp/CodeSystem/master-disease-exCode"},
      {"I10", "http://jpfhir.jp/fhir/core/mhlw/CodeSystem/ICD10-2013-full"},
      {"ICD10", "http://jpfhir.jp/fhir/core/mhlw/CodeSystem/ICD10-2013-full"},
      {"HOT9", "http://medis.or.jp/CodeSystem/master-HOT9"},
      {"HOT7", "http://medis.or.jp/CodeSystem/master-HOT7"},
      {"HOT13", "http://medis.or.jp/CodeSystem/master-HOT13"},
      {"YJ", "http://capstandard.jp/iyaku.info/CodeSystem/YJ-code"},
      {"JC10", "http://medis.or.jp/CodeSystem/master-JLAC10-17digits"},
      {"LN", "http://loinc.org"},
  };
  auto it = kSystems.find(v2);
  return it == kSystems.end() ? "" : it->second;
}

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

json coding(const std::string& code, const std::string& display, const std::string& system) {
  json c = json::object();
  if (const auto uri = system_uri(system); !uri.empty())
    c["system"] = uri;
  if (!code.empty())
    c["code"] = code;
  if (!display.empty())
    c["display"] = display;
  return c;
}

// A CodeableConcept from one or more gateway codes ({code, display, system, alt_*}); null
// when all are empty.
json codeable(std::initializer_list<const json*> codes) {
  json out{{"coding", json::array()}};
  std::string text;
  for (const json* c : codes) {
    if (!c || !c->is_object())
      continue;
    for (auto [code, display, system] : {std::tuple{"code", "display", "system"},
                                         std::tuple{"alt_code", "alt_display", "alt_system"}}) {
      const std::string k = str(*c, code), d = str(*c, display);
      // The alternate triplet only with its coding system (else it is a local note).
      if ((k.empty() && d.empty()) ||
          (std::string_view(code) == "alt_code" && str(*c, system).empty()))
        continue;
      out["coding"].push_back(coding(k, d, str(*c, system)));
      if (text.empty())
        text = d;
    }
  }
  if (out["coding"].empty())
    return nullptr;
  if (!text.empty())
    out["text"] = text;
  return out;
}

// FHIR date or dateTime from the gateway's (ISO, Japan time): "" when it is neither.
std::string fhir_time(const std::string& s) {
  auto digits = [&](std::size_t from, std::size_t n) {
    if (s.size() < from + n)
      return false;
    for (std::size_t i = from; i < from + n; ++i) {
      if (s[i] < '0' || s[i] > '9')
        return false;
    }
    return true;
  };
  if (s.size() >= 10 && digits(0, 4) && s[4] == '-' && digits(5, 2) && s[7] == '-' &&
      digits(8, 2)) {
    if (s.size() == 10)
      return s;
    if (s.size() >= 16 && s[10] == 'T' && digits(11, 2) && s[13] == ':' && digits(14, 2)) {
      const std::string sec =
          s.size() >= 19 && s[16] == ':' && digits(17, 2) ? s.substr(16, 3) : ":00";
      return s.substr(0, 16) + sec + "+09:00";
    }
    return s.substr(0, 10);
  }
  if (s.size() >= 8 && digits(0, 8)) {
    std::string d = s.substr(0, 4) + "-" + s.substr(4, 2) + "-" + s.substr(6, 2);
    if (s.size() >= 12 && digits(8, 4))
      return d + "T" + s.substr(8, 2) + ":" + s.substr(10, 2) + ":" +
             (s.size() >= 14 && digits(12, 2) ? s.substr(12, 2) : "00") + "+09:00";
    return d;
  }
  return "";
}

// "<person>-<40 hex>": the person first, so that a read by id knows whose records to ask
// for; the rest is the facility and the item's content, the same on every read.
std::string logical_id(const std::string& type, const json& item, std::size_t n,
                       const std::string& person) {
  return person + "-" +
         sha256_hex(type + "|" + str(item, "facility_oid") + "|" + std::to_string(n) + "|" +
                    item.dump())
             .substr(0, 40);
}

json base(const std::string& type, const char* profile, const json& item, std::size_t n,
          const std::string& person) {
  return {{"resourceType", type},
          {"id", logical_id(type, item, n, person)},
          {"meta", {{"profile", {std::string(kProfile) + profile}}}},
          {"subject", {{"reference", "Patient/" + person}}}};
}

void put(json& r, const char* key, json v) {
  if (!v.is_null() && !(v.is_string() && v.get<std::string>().empty()))
    r[key] = std::move(v);
}

// The facility that holds the record: a contained-free display reference.
json source_org(const json& item) {
  return {{"identifier",
           {{"system", "urn:ietf:rfc:3986"}, {"value", "urn:oid:" + str(item, "facility_oid")}}},
          {"display", str(item, "facility_name")}};
}

json condition(const json& d, const std::string& person) {
  json r = base("Condition", "JP_Condition", d, 0, person);
  r.erase("subject");
  const bool resolved = !str(d, "resolved").empty();
  r["clinicalStatus"] = {{"coding",
                          {{{"system", "http://terminology.hl7.org/CodeSystem/condition-clinical"},
                            {"code", resolved ? "resolved" : "active"}}}}};
  r["verificationStatus"] = {
      {"coding",
       {{{"system", "http://terminology.hl7.org/CodeSystem/condition-ver-status"},
         {"code", "confirmed"}}}}};
  r["category"] = {{{"coding",
                     {{{"system", "http://terminology.hl7.org/CodeSystem/condition-category"},
                       {"code", "encounter-diagnosis"}}}}}};
  json code = codeable(
      {d.contains("name") ? &d["name"] : nullptr, d.contains("icd10") ? &d["icd10"] : nullptr});
  r["code"] = code.is_null() ? json{{"text", "（病名なし）"}} : code;
  r["subject"] = {{"reference", "Patient/" + person}};
  put(r, "onsetDateTime", fhir_time(str(d, "onset")));
  if (!r.contains("onsetDateTime"))
    put(r, "onsetString", str(d, "onset_text"));
  put(r, "abatementDateTime", fhir_time(str(d, "resolved")));
  put(r, "recordedDate", fhir_time(str(d, "established")));
  r["asserter"] = source_org(d);
  return r;
}

json allergy(const json& a, const std::string& person) {
  json r = base("AllergyIntolerance", "JP_AllergyIntolerance", a, 0, person);
  r.erase("subject");
  r["patient"] = {{"reference", "Patient/" + person}};
  r["clinicalStatus"] = {
      {"coding",
       {{{"system", "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"},
         {"code", "active"}}}}};
  json code = codeable({a.contains("allergen") ? &a["allergen"] : nullptr});
  r["code"] = code.is_null() ? json{{"text", "（アレルゲン不明）"}} : code;
  // HL7 v2 table 0127: DA drug, FA food, EA environmental (MA/MC miscellaneous).
  const std::string type = a.contains("type") ? str(a["type"], "code") : "";
  if (type == "DA")
    r["category"] = {"medication"};
  else if (type == "FA")
    r["category"] = {"food"};
  else if (type == "EA" || type == "AA" || type == "PA")
    r["category"] = {"environment"};
  put(r, "onsetDateTime", fhir_time(str(a, "onset")));
  if (!str(a, "reaction").empty())
    r["reaction"] = {{{"manifestation", {{{"text", str(a, "reaction")}}}}}};
  r["recorder"] = source_org(a);
  return r;
}

json medication_request(const json& m, const std::string& person) {
  json r = base("MedicationRequest", "JP_MedicationRequest", m, 0, person);
  r["status"] = "active";
  r["intent"] = "order";
  json drug = codeable({m.contains("drug") ? &m["drug"] : nullptr});
  r["medicationCodeableConcept"] = drug.is_null() ? json{{"text", "（薬剤不明）"}} : drug;
  put(r, "authoredOn", fhir_time(str(m, "date")));
  if (!str(m, "order_no").empty())
    r["identifier"] = {
        {{"system", "urn:oid:1.2.392.100495.20.3.11"}, {"value", str(m, "order_no")}}};
  json dosage = json::object();
  if (auto u = codeable({m.contains("usage") ? &m["usage"] : nullptr}); !u.is_null())
    dosage["text"] = u.value("text", "");
  if (auto rt = codeable({m.contains("route") ? &m["route"] : nullptr}); !rt.is_null())
    dosage["route"] = rt;
  if (m.contains("dose") && m["dose"].is_object() && !str(m["dose"], "value").empty()) {
    double v = 0;
    const std::string s = str(m["dose"], "value");
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc() && p == s.data() + s.size()) {
      json q{{"value", v}};
      if (m["dose"].contains("unit"))
        put(q, "unit",
            str(m["dose"]["unit"], "display").empty() ? str(m["dose"]["unit"], "code")
                                                      : str(m["dose"]["unit"], "display"));
      dosage["doseAndRate"] = {{{"doseQuantity", q}}};
    }
  }
  if (!str(m, "instructions").empty())
    dosage["patientInstruction"] = str(m, "instructions");
  if (!dosage.empty())
    r["dosageInstruction"] = {dosage};
  if (!str(m, "days").empty()) {
    unsigned days = 0;
    const std::string s = str(m, "days");
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), days);
    if (ec == std::errc() && p == s.data() + s.size())
      r["dispenseRequest"] = {{"expectedSupplyDuration",
                               {{"value", days},
                                {"unit", "日"},
                                {"system", "http://unitsofmeasure.org"},
                                {"code", "d"}}}};
  }
  r["requester"] = source_org(m);
  return r;
}

json observations(const json& lab, const std::string& person) {
  json out = json::array();
  if (!lab.contains("items") || !lab["items"].is_array())
    return out;
  std::size_t n = 0;
  for (const auto& o : lab["items"]) {
    json r = base("Observation", "JP_Observation_LabResult", lab, ++n, person);
    r["status"] = str(o, "status") == "C"   ? "corrected"
                  : str(o, "status") == "P" ? "preliminary"
                                            : "final";
    r["category"] = {{{"coding",
                       {{{"system", "http://terminology.hl7.org/CodeSystem/observation-category"},
                         {"code", "laboratory"}}}}}};
    json code = codeable({o.contains("code") ? &o["code"] : nullptr});
    r["code"] = code.is_null() ? json{{"text", "（検査項目不明）"}} : code;
    std::string when = fhir_time(str(o, "observed_at"));
    if (when.empty())
      when = fhir_time(str(lab, "collected_at"));
    put(r, "effectiveDateTime", when);
    put(r, "issued", [&] {
      std::string t = fhir_time(str(lab, "reported_at"));
      return t.size() > 10 ? t : std::string();  // instant: a time is required
    }());
    const std::string value = str(o, "value");
    double v = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (str(o, "value_type") == "NM" && !value.empty() && ec == std::errc() &&
        p == value.data() + value.size()) {
      json q{{"value", v}};
      if (o.contains("unit"))
        put(q, "unit",
            str(o["unit"], "code").empty() ? str(o["unit"], "display") : str(o["unit"], "code"));
      r["valueQuantity"] = q;
    } else if (auto vc = codeable({o.contains("value_code") ? &o["value_code"] : nullptr});
               !vc.is_null()) {
      r["valueCodeableConcept"] = vc;
    } else if (!value.empty()) {
      r["valueString"] = value;
    }
    if (!str(o, "range").empty())
      r["referenceRange"] = {{{"text", str(o, "range")}}};
    if (o.contains("flags") && o["flags"].is_array() && !o["flags"].empty()) {
      json codings = json::array();
      for (const auto& f : o["flags"]) {
        if (f.is_string() && !f.get<std::string>().empty())
          codings.push_back(
              {{"system", "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"},
               {"code", f.get<std::string>()}});
      }
      if (!codings.empty())
        r["interpretation"] = {{{"coding", codings}}};
    }
    r["performer"] = {source_org(lab)};
    out.push_back(std::move(r));
  }
  return out;
}

// PV1 (ADT) as JP_Encounter: the SS-MIX2 event kind gives the status.
json encounter(const json& e, const std::string& person) {
  json r = base("Encounter", "JP_Encounter", e, 0, person);
  static const std::map<std::string, std::pair<const char*, const char*>> kKinds = {
      {"outpatient_visit", {"finished", "外来受診"}},
      {"admission_planned", {"planned", "入院予定"}},
      {"admission", {"in-progress", "入院"}},
      {"leave_of_absence", {"onleave", "外泊"}},
      {"return_from_leave", {"in-progress", "帰院"}},
      {"transfer_planned", {"planned", "転科・転棟予定"}},
      {"transfer", {"in-progress", "転科・転棟"}},
      {"discharge_planned", {"planned", "退院予定"}},
      {"discharge", {"finished", "退院"}},
      {"attending_doctor_change", {"in-progress", "担当医変更"}},
  };
  const auto kind = kKinds.find(str(e, "kind"));
  const bool cancelled = str(e, "status") == "cancelled" || e.value("cancelled", false);
  r["status"] = cancelled                         ? "cancelled"
                : kind != kKinds.end()            ? kind->second.first
                : str(e, "discharged_at").empty() ? "unknown"
                                                  : "finished";
  // HL7 v2 table 0004 to the v3 ActCode JP Core binds.
  static const std::map<std::string, std::pair<const char*, const char*>> kClass = {
      {"I", {"IMP", "inpatient encounter"}},
      {"O", {"AMB", "ambulatory"}},
      {"E", {"EMER", "emergency"}},
  };
  if (auto c = kClass.find(str(e, "patient_class")); c != kClass.end())
    r["class"] = {{"system", "http://terminology.hl7.org/CodeSystem/v3-ActCode"},
                  {"code", c->second.first},
                  {"display", c->second.second}};
  else
    r["class"] = {{"system", "http://terminology.hl7.org/CodeSystem/v3-NullFlavor"},
                  {"code", "UNK"}};
  if (kind != kKinds.end())
    r["type"] = {{{"text", kind->second.second}}};
  if (auto dept = codeable({e.contains("department") ? &e["department"] : nullptr});
      !dept.is_null())
    r["serviceType"] = dept;
  json period = json::object();
  std::string start = fhir_time(str(e, "admitted_at"));
  if (start.empty())
    start = fhir_time(str(e, "event_at"));
  if (start.empty())
    start = fhir_time(str(e, "date"));
  put(period, "start", start);
  put(period, "end", fhir_time(str(e, "discharged_at")));
  if (!period.empty())
    r["period"] = period;
  if (e.contains("attending_doctor") && e["attending_doctor"].is_object()) {
    const auto& d = e["attending_doctor"];
    std::string name = str(d, "family");
    if (!str(d, "given").empty())
      name += (name.empty() ? "" : " ") + str(d, "given");
    if (!name.empty())
      r["participant"] = {
          {{"type",
            {{{"coding",
               {{{"system", "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"},
                 {"code", "ATND"}}}}}}},
           {"individual", {{"display", name}}}}};
  }
  if (e.contains("location") && e["location"].is_object()) {
    std::string where;
    for (const char* k : {"ward", "room", "bed"}) {
      if (!str(e["location"], k).empty())
        where += (where.empty() ? "" : " ") + str(e["location"], k);
    }
    if (!where.empty())
      r["location"] = {{{"location", {{"display", where}}}}};
  }
  r["serviceProvider"] = source_org(e);
  return r;
}

std::string observation_status(const json& lab) {
  bool corrected = false, partial = false;
  if (lab.contains("items") && lab["items"].is_array()) {
    for (const auto& o : lab["items"]) {
      corrected = corrected || str(o, "status") == "C";
      partial = partial || str(o, "status") == "P";
    }
  }
  return partial ? "partial" : corrected ? "corrected" : "final";
}

// One lab result (OUL/OML-11) as JP_DiagnosticReport_LabResult: its items are the result
// Observations, by the same ids the Observation search gives them.
json diagnostic_report(const json& lab, const std::string& person) {
  json r = base("DiagnosticReport", "JP_DiagnosticReport_LabResult", lab, 0, person);
  r["status"] = observation_status(lab);
  r["category"] = {{{"coding",
                     {{{"system", "http://terminology.hl7.org/CodeSystem/v2-0074"},
                       {"code", "LAB"},
                       {"display", "Laboratory"}}}}}};
  json code = codeable({lab.contains("panel") ? &lab["panel"] : nullptr});
  r["code"] = code.is_null() ? json{{"text", "検体検査"}} : code;
  put(r, "effectiveDateTime", fhir_time(str(lab, "collected_at")));
  const std::string issued = fhir_time(str(lab, "reported_at"));
  if (issued.size() > 10)
    r["issued"] = issued;
  if (auto sp = codeable({lab.contains("specimen") ? &lab["specimen"] : nullptr}); !sp.is_null())
    r["specimen"] = {{{"display", sp.value("text", "")}}};
  json results = json::array();
  if (lab.contains("items") && lab["items"].is_array()) {
    for (std::size_t n = 1; n <= lab["items"].size(); ++n)
      results.push_back(
          {{"reference", "Observation/" + logical_id("Observation", lab, n, person)}});
  }
  if (!results.empty())
    r["result"] = results;
  r["performer"] = {source_org(lab)};
  return r;
}

std::string uuid_of(const std::string& hex) {
  std::string h = sha256_hex(hex).substr(0, 32);
  h[12] = '5';  // name-based (RFC 4122 version 5 layout), from a SHA digest
  h[16] = "89ab"[std::stoi(h.substr(16, 1), nullptr, 16) & 3];
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

// An extended-storage document as an IHE MHD DocumentReference; the content is Binary/<the
// same id> (ITI-68 Retrieve Document).
json document_reference(const json& d, const std::string& person, const std::string& base_url) {
  json r = base("DocumentReference", "", d, 0, person);
  r["meta"] = {{"profile", {kMhdProfile}}};
  const std::string id = r["id"];
  r["masterIdentifier"] = {{"system", "urn:ietf:rfc:3986"}, {"value", "urn:uuid:" + uuid_of(id)}};
  r["status"] = "current";
  if (auto type = codeable({d.contains("type") ? &d["type"] : nullptr}); !type.is_null())
    r["type"] = type;
  const std::string when = fhir_time(str(d, "date"));
  if (when.size() > 10)
    r["date"] = when;
  r["author"] = {source_org(d)};
  r["custodian"] = source_org(d);
  json attachment{{"contentType", str(d, "media_type").empty() ? "application/octet-stream"
                                                               : str(d, "media_type")},
                  {"url", base_url + "/Binary/" + id}};
  if (d.contains("size") && d["size"].is_number_unsigned())
    attachment["size"] = d["size"];
  if (const std::string file = str(d, "file"); !file.empty())
    attachment["title"] = file.substr(file.find_last_of('/') + 1);
  put(attachment, "creation", when);
  r["content"] = {{{"attachment", attachment}}};
  return r;
}

// A DICOM study the facility holds (or its PACS) as JP_ImagingStudy_Radiology, with its
// DICOMweb (WADO-RS) endpoint at the portal; radiology orders and reports are not studies.
json imaging_study(const json& s, const std::string& person, const std::string& base_url) {
  if (str(s, "kind") != "study" || str(s, "study_uid").empty())
    return nullptr;
  json r = base("ImagingStudy", "JP_ImagingStudy_Radiology", s, 0, person);
  r["status"] = "available";
  r["identifier"] = {{{"system", "urn:dicom:uid"}, {"value", "urn:oid:" + str(s, "study_uid")}}};
  if (!str(s, "accession_number").empty())
    r["identifier"].push_back(
        {{"type",
          {{"coding",
            {{{"system", "http://terminology.hl7.org/CodeSystem/v2-0203"}, {"code", "ACSN"}}}}}},
         {"value", str(s, "accession_number")}});
  if (s.contains("modalities") && s["modalities"].is_array()) {
    json mods = json::array();
    for (const auto& m : s["modalities"]) {
      if (m.is_string() && !m.get<std::string>().empty())
        mods.push_back({{"system", "http://dicom.nema.org/resources/ontology/DCM"}, {"code", m}});
    }
    if (!mods.empty())
      r["modality"] = mods;
  }
  put(r, "started", fhir_time(str(s, "date")));
  if (s.contains("series") && s["series"].is_number_unsigned())
    r["numberOfSeries"] = s["series"];
  if (s.contains("instances") && s["instances"].is_number_unsigned())
    r["numberOfInstances"] = s["instances"];
  put(r, "description", str(s, "description"));
  const std::string origin = base_url.substr(0, base_url.size() - std::string_view("/fhir").size());
  r["contained"] = {{{"resourceType", "Endpoint"},
                     {"id", "wado"},
                     {"status", "active"},
                     {"connectionType",
                      {{"system", "http://terminology.hl7.org/CodeSystem/endpoint-connection-type"},
                       {"code", "dicom-wado-rs"}}},
                     {"payloadType", {{{"text", "DICOM"}}}},
                     {"address", origin + "/api/v1/persons/" + person + "/imaging/" +
                                     str(s, "facility_oid") + "/dicomweb"}}};
  r["endpoint"] = {{{"reference", "#wado"}}};
  return r;
}

struct TypeInfo {
  const char* category;  // the viewer's
  const char* profile;
  std::set<std::string> params;    // besides patient, subject, date, _count, _page, _include
  std::set<std::string> includes;  // _include values
};
const std::map<std::string, TypeInfo>& types() {
  static const std::map<std::string, TypeInfo> kTypes = {
      {"AllergyIntolerance",
       {"allergies", "JP_AllergyIntolerance", {}, {"AllergyIntolerance:patient"}}},
      {"Condition", {"diagnoses", "JP_Condition", {}, {"Condition:patient", "Condition:subject"}}},
      {"DiagnosticReport",
       {"lab_results",
        "JP_DiagnosticReport_LabResult",
        {"category"},
        {"DiagnosticReport:patient", "DiagnosticReport:subject", "DiagnosticReport:result"}}},
      {"DocumentReference",
       {"documents", "", {"status"}, {"DocumentReference:patient", "DocumentReference:subject"}}},
      {"Encounter", {"encounters", "JP_Encounter", {}, {"Encounter:patient", "Encounter:subject"}}},
      {"ImagingStudy",
       {"imaging",
        "JP_ImagingStudy_Radiology",
        {},
        {"ImagingStudy:patient", "ImagingStudy:subject"}}},
      {"MedicationRequest",
       {"prescriptions",
        "JP_MedicationRequest",
        {},
        {"MedicationRequest:patient", "MedicationRequest:subject",
         "MedicationRequest:medication"}}},
      {"Observation",
       {"lab_results",
        "JP_Observation_LabResult",
        {"category", "code"},
        {"Observation:patient", "Observation:subject"}}},
  };
  return kTypes;
}

[[noreturn]] void bad(const std::string& what) {
  throw Error(ErrorCode::kBadRequest, what);
}

bool is_lab_category(std::string_view c) {
  return c == "laboratory" ||
         c == "http://terminology.hl7.org/CodeSystem/observation-category|laboratory";
}
bool is_lab_report_category(std::string_view c) {
  return c == "LAB" || c == "http://terminology.hl7.org/CodeSystem/v2-0074|LAB";
}

// The viewer request for one person's records of `type`: person_id, from/to (date ge/le).
Request person_request(const Request& req, const std::string& person) {
  Request in;
  in.method = "GET";
  in.request_id = req.request_id;
  in.headers = req.headers;
  in.params["person_id"] = person;
  return in;
}

// The viewer request underneath a search: person_id, from/to (date ge/le), page_size, cursor.
Request inner_request(const Request& req, const std::string& type) {
  const TypeInfo& info = types().at(type);
  static const std::set<std::string> kCommon = {"patient", "subject", "date",
                                                "_count",  "_page",   "_include"};
  for (const auto& [k, v] : req.query) {
    if (!kCommon.contains(k) && !info.params.contains(k))
      bad("search parameter " + k + " is not supported for " + type + " (see /fhir/metadata)");
    if (!hl7v2::is_valid_utf8(v))
      bad("parameter " + k + " is not UTF-8");
    if (k == "_include" && !info.includes.contains(v))
      bad("_include=" + v + " is not supported for " + type + " (see /fhir/metadata)");
    if (k == "category" && type == "Observation" && !is_lab_category(v))
      bad("category: only laboratory is served");
    if (k == "category" && type == "DiagnosticReport" && !is_lab_report_category(v))
      bad("category: only LAB is served");
    if (k == "status" && v != "current")
      bad("status: only current documents are served");
  }
  std::string patient =
      req.query_param("patient").value_or(req.query_param("subject").value_or(""));
  if (patient.rfind("Patient/", 0) == 0)
    patient = patient.substr(8);
  std::int64_t person_id = 0;
  auto [stop, ec] = std::from_chars(patient.data(), patient.data() + patient.size(), person_id);
  if (patient.empty() || ec != std::errc() || stop != patient.data() + patient.size() ||
      person_id <= 0 || patient.front() == '0')
    bad("patient=<Patient id> is required");
  Request in = person_request(req, patient);
  for (auto [it, end] = req.query.equal_range("date"); it != end; ++it) {
    const std::string& v = it->second;
    const std::string prefix = v.substr(0, 2);
    const std::string day = v.size() >= 12 ? v.substr(2, 10) : "";
    if ((prefix != "ge" && prefix != "le") || fhir_time(day) != day || day.empty())
      bad("date takes geYYYY-MM-DD and/or leYYYY-MM-DD");
    in.query.emplace(prefix == "ge" ? "from" : "to", day);
  }
  if (auto n = req.query_param("_count"))
    in.query.emplace("page_size", *n);
  if (auto p = req.query_param("_page"); p && !p->empty())
    in.query.emplace("cursor", *p);
  return in;
}

// Observation?code=: a comma-separated list of [system]|code or code, any coding matching.
bool code_matches(const json& resource, const std::string& param) {
  if (param.empty())
    return true;
  const json& codings = resource.contains("code") && resource["code"].contains("coding")
                            ? resource["code"]["coding"]
                            : json::array();
  std::size_t from = 0;
  while (from <= param.size()) {
    const std::size_t comma = std::min(param.find(',', from), param.size());
    const std::string one = param.substr(from, comma - from);
    const auto bar = one.find('|');
    const std::string system = bar == std::string::npos ? "" : one.substr(0, bar);
    const std::string code = bar == std::string::npos ? one : one.substr(bar + 1);
    for (const auto& c : codings) {
      if (str(c, "code") == code && (bar == std::string::npos || str(c, "system") == system))
        return true;
    }
    from = comma + 1;
  }
  return false;
}

json missing_outcome(const json& missing) {
  json issues = json::array();
  for (const auto& m : missing) {
    issues.push_back({{"severity", "warning"},
                      {"code", "transient"},
                      {"diagnostics", str(m, "facility_name") + " (" + str(m, "facility_oid") +
                                          ") did not answer: " + str(m, "reason")}});
  }
  return {{"resourceType", "OperationOutcome"}, {"issue", issues}};
}

// One page of the person's `type` records; an unseen person or a category no source may show
// this user is an empty page, the same as a patient without such records.
net::awaitable<portal::CategoryPage> records(FhirServices& sv, const TokenCaller& t,
                                             const Request& in, const std::string& type) {
  portal::CategoryPage page;
  try {
    page = co_await portal::fetch_category(sv.viewer, t.caller, in, types().at(type).category);
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kNotFound && e.code() != ErrorCode::kForbidden)
      throw;
  }
  co_return page;
}

TokenCaller token_for(FhirServices& sv, const Request& req, const std::string& type) {
  TokenCaller t = sv.smart.require_token(req);
  if (!t.may_read(type))
    throw Error(ErrorCode::kForbidden, "the token's scopes do not cover " + type);
  return t;
}

net::awaitable<Response> search(FhirServices& sv, const std::string& type, Request& req) {
  try {
    const TokenCaller t =
        co_await portal::offload(sv.viewer.workers, [&] { return token_for(sv, req, type); });
    Request in = inner_request(req, type);
    const std::string base_url = fhir_base(req);
    const std::string person = in.params["person_id"];
    const std::string code = req.query_param("code").value_or("");
    std::set<std::string> include;
    for (auto [it, end] = req.query.equal_range("_include"); it != end; ++it)
      include.insert(it->second.substr(it->second.find(':') + 1));
    // A patient/ scope reaches the launch patient only: any other is as one without records.
    const auto only = t.confined(type);
    portal::CategoryPage page;
    if (!only || std::to_string(*only) == person)
      page = co_await records(sv, t, in, type);
    json entries = json::array();
    if (page.items.is_array()) {
      for (const auto& item : page.items) {
        for (auto& r : clinical_resources(type, item, person, base_url)) {
          if (type == "Observation" && !code_matches(r, code))
            continue;
          const std::string full = base_url + "/" + type + "/" + r["id"].get<std::string>();
          entries.push_back(
              {{"fullUrl", full}, {"resource", std::move(r)}, {"search", {{"mode", "match"}}}});
        }
        if (include.contains("result")) {
          for (auto& o : observations(item, person)) {
            const std::string full = base_url + "/Observation/" + o["id"].get<std::string>();
            entries.push_back(
                {{"fullUrl", full}, {"resource", std::move(o)}, {"search", {{"mode", "include"}}}});
          }
        }
      }
    }
    if ((include.contains("patient") || include.contains("subject")) && !entries.empty()) {
      auto p = co_await portal::offload(sv.viewer.workers, [&] {
        return patient_resource(sv, t.caller, std::stoll(person), req);
      });
      if (p)
        entries.push_back({{"fullUrl", base_url + "/Patient/" + person},
                           {"resource", std::move(*p)},
                           {"search", {{"mode", "include"}}}});
    }
    if (page.missing.is_array() && !page.missing.empty())
      entries.push_back(
          {{"resource", missing_outcome(page.missing)}, {"search", {{"mode", "outcome"}}}});
    co_return searchset(req, type, std::move(entries), page.next_cursor);
  } catch (const Error& e) {
    co_return operation_outcome(e);
  }
}

// "<person>-<40 hex>" or nothing.
std::string person_of(const std::string& id) {
  const auto dash = id.find('-');
  if (dash == std::string::npos || dash == 0 || dash > 19 || id.size() != dash + 41 ||
      id.find_first_not_of("0123456789") != dash ||
      id.find_first_not_of("0123456789abcdef", dash + 1) != std::string::npos)
    return "";
  return id.substr(0, dash);
}

// The gateway item (and its resource) with this id among the person's records, walking the
// pages as a client would; an item the user may not see is not found, like an unknown one.
net::awaitable<std::optional<std::pair<json, json>>> find_by_id(FhirServices& sv,
                                                                const TokenCaller& t,
                                                                const Request& req,
                                                                const std::string& type,
                                                                const std::string& id) {
  const std::string person = person_of(id);
  if (person.empty())
    co_return std::nullopt;
  const std::string base_url = fhir_base(req);
  std::string cursor;
  for (int pages = 0; pages < 100; ++pages) {
    Request in = person_request(req, person);
    in.query.emplace("page_size", "200");
    if (!cursor.empty())
      in.query.emplace("cursor", cursor);
    const portal::CategoryPage page = co_await records(sv, t, in, type);
    if (page.items.is_array()) {
      for (const auto& item : page.items) {
        for (auto& r : clinical_resources(type, item, person, base_url)) {
          if (r["id"] == id)
            co_return std::pair{item, std::move(r)};
        }
      }
    }
    if (page.next_cursor.empty())
      break;
    cursor = page.next_cursor;
  }
  co_return std::nullopt;
}

net::awaitable<Response> read(FhirServices& sv, const std::string& type, Request& req) {
  try {
    const TokenCaller t =
        co_await portal::offload(sv.viewer.workers, [&] { return token_for(sv, req, type); });
    const std::string& id = req.param("id");
    const auto only = t.confined(type);
    std::optional<std::pair<json, json>> found;
    if (!only || std::to_string(*only) == person_of(id))
      found = co_await find_by_id(sv, t, req, type, id);
    if (!found)
      throw Error(ErrorCode::kNotFound, type + "/" + id.substr(0, 64) + " is not known");
    co_return Response::text(200, found->second.dump(), "application/fhir+json; charset=utf-8");
  } catch (const Error& e) {
    co_return operation_outcome(e);
  }
}

// ITI-68 Retrieve Document: the document's own bytes and media type, streamed from the
// gateway that holds it (decided and audited as the documents category).
net::awaitable<Response> binary(FhirServices& sv, Request& req) {
  try {
    const TokenCaller t =
        co_await portal::offload(sv.viewer.workers, [&] { return token_for(sv, req, "Binary"); });
    const std::string& id = req.param("id");
    const auto only = t.confined("Binary");
    std::optional<std::pair<json, json>> found;
    if (!only || std::to_string(*only) == person_of(id))
      found = co_await find_by_id(sv, t, req, "DocumentReference", id);
    if (!found)
      throw Error(ErrorCode::kNotFound, "Binary/" + id.substr(0, 64) + " is not known");
    Request in = person_request(req, person_of(id));
    co_return co_await portal::fetch_document(
        sv.viewer, t.caller, in, str(found->first, "facility_oid"), str(found->first, "id"));
  } catch (const Error& e) {
    co_return operation_outcome(e);
  }
}

}  // namespace

json clinical_resources(const std::string& type, const json& item, const std::string& person,
                        const std::string& base_url) {
  json one;
  if (type == "Condition")
    one = condition(item, person);
  else if (type == "AllergyIntolerance")
    one = allergy(item, person);
  else if (type == "MedicationRequest")
    one = medication_request(item, person);
  else if (type == "Observation")
    return observations(item, person);
  else if (type == "DiagnosticReport")
    one = diagnostic_report(item, person);
  else if (type == "Encounter")
    one = encounter(item, person);
  else if (type == "DocumentReference")
    one = document_reference(item, person, base_url);
  else if (type == "ImagingStudy")
    one = imaging_study(item, person, base_url);
  return one.is_null() ? json::array() : json::array({std::move(one)});
}

void add_clinical_routes(http::Router& web, FhirServices& sv) {
  web.add("GET", "/fhir/Binary/{id}",
          [&sv](Request& req) -> net::awaitable<Response> { co_return co_await binary(sv, req); },
          {.body_limit = 0, .summary = "FHIR Binary read: a document's content (IHE MHD ITI-68)"});
  for (const auto& [type, info] : types()) {
    web.add("GET", "/fhir/" + type + "/{id}",
            [&sv, type = type](Request& req) -> net::awaitable<Response> {
              co_return co_await read(sv, type, req);
            },
            {.body_limit = 0, .summary = "FHIR " + type + " read"});
    web.add("GET", "/fhir/" + type,
            [&sv, type = type](Request& req) -> net::awaitable<Response> {
              co_return co_await search(sv, type, req);
            },
            {.body_limit = 0,
             .summary =
                 "FHIR " + type + " search by patient (from the gateways' " + info.category + ")"});
  }
}

json clinical_capabilities() {
  json out = json::array();
  for (const auto& [type, info] : types()) {
    json params = json::array(
        {{{"name", "patient"}, {"type", "reference"}}, {{"name", "date"}, {"type", "date"}}});
    for (const auto& p : info.params)
      params.push_back({{"name", p}, {"type", "token"}});
    const std::string profile = *info.profile ? std::string(kProfile) + info.profile : kMhdProfile;
    out.push_back({{"type", type},
                   {"supportedProfile", {profile}},
                   {"interaction", {{{"code", "read"}}, {{"code", "search-type"}}}},
                   {"searchInclude", info.includes},
                   {"searchParam", params}});
  }
  out.push_back({{"type", "Binary"},
                 {"interaction", {{{"code", "read"}}}},
                 {"documentation",
                  "Binary/<DocumentReference id>: the document's own bytes and media type "
                  "(IHE MHD ITI-68), whatever the Accept header asks for."}});
  return out;
}

}  // namespace hareyaka::fhir
