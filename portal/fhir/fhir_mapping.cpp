#include "portal/fhir/fhir_mapping.hpp"

#include <charconv>
#include <map>

#include "common/digest.hpp"

namespace hareyaka::fhir {

using nlohmann::json;

std::string member(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// The FHIR date or dateTime of the gateway's (ISO, Japan time): "" when it is neither.
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

namespace {

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
      const std::string k = member(*c, code), d = member(*c, display);
      // The alternate triplet only with its coding system (else it is a local note).
      if ((k.empty() && d.empty()) ||
          (std::string_view(code) == "alt_code" && member(*c, system).empty()))
        continue;
      out["coding"].push_back(coding(k, d, member(*c, system)));
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

// "<person>-<40 hex>": the person first, so that a read by id knows whose records to ask
// for; the rest is the facility and the item's content, the same on every read.
std::string logical_id(const std::string& type, const json& item, std::size_t n,
                       const std::string& person) {
  return person + "-" +
         sha256_hex(type + "|" + member(item, "facility_oid") + "|" + std::to_string(n) + "|" +
                    item.dump())
             .substr(0, 40);
}

json base(const std::string& type, const json& item, std::size_t n, const std::string& person) {
  return {{"resourceType", type},
          {"id", logical_id(type, item, n, person)},
          {"meta", {{"profile", {profile_of(type)}}}},
          {"subject", {{"reference", "Patient/" + person}}}};
}

void put(json& r, const char* key, json v) {
  if (!v.is_null() && !(v.is_string() && v.get<std::string>().empty()))
    r[key] = std::move(v);
}

// The facility that holds the record: a contained-free display reference.
json source_org(const json& item) {
  return {{"identifier",
           {{"system", "urn:ietf:rfc:3986"}, {"value", "urn:oid:" + member(item, "facility_oid")}}},
          {"display", member(item, "facility_name")}};
}

json condition(const json& d, const std::string& person) {
  json r = base("Condition", d, 0, person);
  r.erase("subject");
  const bool resolved = !member(d, "resolved").empty();
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
  put(r, "onsetDateTime", fhir_time(member(d, "onset")));
  if (!r.contains("onsetDateTime"))
    put(r, "onsetString", member(d, "onset_text"));
  put(r, "abatementDateTime", fhir_time(member(d, "resolved")));
  put(r, "recordedDate", fhir_time(member(d, "established")));
  r["asserter"] = source_org(d);
  return r;
}

json allergy(const json& a, const std::string& person) {
  json r = base("AllergyIntolerance", a, 0, person);
  r.erase("subject");
  r["patient"] = {{"reference", "Patient/" + person}};
  r["clinicalStatus"] = {
      {"coding",
       {{{"system", "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"},
         {"code", "active"}}}}};
  json code = codeable({a.contains("allergen") ? &a["allergen"] : nullptr});
  r["code"] = code.is_null() ? json{{"text", "（アレルゲン不明）"}} : code;
  // HL7 v2 table 0127: DA drug, FA food, EA environmental (MA/MC miscellaneous).
  const std::string type = a.contains("type") ? member(a["type"], "code") : "";
  if (type == "DA")
    r["category"] = {"medication"};
  else if (type == "FA")
    r["category"] = {"food"};
  else if (type == "EA" || type == "AA" || type == "PA")
    r["category"] = {"environment"};
  put(r, "onsetDateTime", fhir_time(member(a, "onset")));
  if (!member(a, "reaction").empty())
    r["reaction"] = {{{"manifestation", {{{"text", member(a, "reaction")}}}}}};
  r["recorder"] = source_org(a);
  return r;
}

json medication_request(const json& m, const std::string& person) {
  json r = base("MedicationRequest", m, 0, person);
  r["status"] = "active";
  r["intent"] = "order";
  json drug = codeable({m.contains("drug") ? &m["drug"] : nullptr});
  r["medicationCodeableConcept"] = drug.is_null() ? json{{"text", "（薬剤不明）"}} : drug;
  put(r, "authoredOn", fhir_time(member(m, "date")));
  if (!member(m, "order_no").empty())
    r["identifier"] = {
        {{"system", "urn:oid:1.2.392.100495.20.3.11"}, {"value", member(m, "order_no")}}};
  json dosage = json::object();
  if (auto u = codeable({m.contains("usage") ? &m["usage"] : nullptr}); !u.is_null())
    dosage["text"] = u.value("text", "");
  if (auto rt = codeable({m.contains("route") ? &m["route"] : nullptr}); !rt.is_null())
    dosage["route"] = rt;
  if (m.contains("dose") && m["dose"].is_object() && !member(m["dose"], "value").empty()) {
    double v = 0;
    const std::string s = member(m["dose"], "value");
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc() && p == s.data() + s.size()) {
      json q{{"value", v}};
      if (m["dose"].contains("unit"))
        put(q, "unit",
            member(m["dose"]["unit"], "display").empty() ? member(m["dose"]["unit"], "code")
                                                         : member(m["dose"]["unit"], "display"));
      dosage["doseAndRate"] = {{{"doseQuantity", q}}};
    }
  }
  if (!member(m, "instructions").empty())
    dosage["patientInstruction"] = member(m, "instructions");
  if (!dosage.empty())
    r["dosageInstruction"] = {dosage};
  if (!member(m, "days").empty()) {
    unsigned days = 0;
    const std::string s = member(m, "days");
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
    json r = base("Observation", lab, ++n, person);
    r["status"] = member(o, "status") == "C"   ? "corrected"
                  : member(o, "status") == "P" ? "preliminary"
                                               : "final";
    r["category"] = {{{"coding",
                       {{{"system", "http://terminology.hl7.org/CodeSystem/observation-category"},
                         {"code", "laboratory"}}}}}};
    json code = codeable({o.contains("code") ? &o["code"] : nullptr});
    r["code"] = code.is_null() ? json{{"text", "（検査項目不明）"}} : code;
    std::string when = fhir_time(member(o, "observed_at"));
    if (when.empty())
      when = fhir_time(member(lab, "collected_at"));
    put(r, "effectiveDateTime", when);
    put(r, "issued", [&] {
      std::string t = fhir_time(member(lab, "reported_at"));
      return t.size() > 10 ? t : std::string();  // instant: a time is required
    }());
    const std::string value = member(o, "value");
    double v = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (member(o, "value_type") == "NM" && !value.empty() && ec == std::errc() &&
        p == value.data() + value.size()) {
      json q{{"value", v}};
      if (o.contains("unit"))
        put(q, "unit",
            member(o["unit"], "code").empty() ? member(o["unit"], "display")
                                              : member(o["unit"], "code"));
      r["valueQuantity"] = q;
    } else if (auto vc = codeable({o.contains("value_code") ? &o["value_code"] : nullptr});
               !vc.is_null()) {
      r["valueCodeableConcept"] = vc;
    } else if (!value.empty()) {
      r["valueString"] = value;
    }
    if (!member(o, "range").empty())
      r["referenceRange"] = {{{"text", member(o, "range")}}};
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
  json r = base("Encounter", e, 0, person);
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
  const auto kind = kKinds.find(member(e, "kind"));
  const bool cancelled = member(e, "status") == "cancelled" || e.value("cancelled", false);
  r["status"] = cancelled                            ? "cancelled"
                : kind != kKinds.end()               ? kind->second.first
                : member(e, "discharged_at").empty() ? "unknown"
                                                     : "finished";
  // HL7 v2 table 0004 to the v3 ActCode JP Core binds.
  static const std::map<std::string, std::pair<const char*, const char*>> kClass = {
      {"I", {"IMP", "inpatient encounter"}},
      {"O", {"AMB", "ambulatory"}},
      {"E", {"EMER", "emergency"}},
  };
  if (auto c = kClass.find(member(e, "patient_class")); c != kClass.end())
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
  std::string start = fhir_time(member(e, "admitted_at"));
  if (start.empty())
    start = fhir_time(member(e, "event_at"));
  if (start.empty())
    start = fhir_time(member(e, "date"));
  put(period, "start", start);
  put(period, "end", fhir_time(member(e, "discharged_at")));
  if (!period.empty())
    r["period"] = period;
  if (e.contains("attending_doctor") && e["attending_doctor"].is_object()) {
    const auto& d = e["attending_doctor"];
    std::string name = member(d, "family");
    if (!member(d, "given").empty())
      name += (name.empty() ? "" : " ") + member(d, "given");
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
      if (!member(e["location"], k).empty())
        where += (where.empty() ? "" : " ") + member(e["location"], k);
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
      corrected = corrected || member(o, "status") == "C";
      partial = partial || member(o, "status") == "P";
    }
  }
  return partial ? "partial" : corrected ? "corrected" : "final";
}

// One lab result (OUL/OML-11) as JP_DiagnosticReport_LabResult: its items are the result
// Observations, by the same ids the Observation search gives them.
json diagnostic_report(const json& lab, const std::string& person) {
  json r = base("DiagnosticReport", lab, 0, person);
  r["status"] = observation_status(lab);
  r["category"] = {{{"coding",
                     {{{"system", "http://terminology.hl7.org/CodeSystem/v2-0074"},
                       {"code", "LAB"},
                       {"display", "Laboratory"}}}}}};
  json code = codeable({lab.contains("panel") ? &lab["panel"] : nullptr});
  r["code"] = code.is_null() ? json{{"text", "検体検査"}} : code;
  put(r, "effectiveDateTime", fhir_time(member(lab, "collected_at")));
  const std::string issued = fhir_time(member(lab, "reported_at"));
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
  json r = base("DocumentReference", d, 0, person);
  const std::string id = r["id"];
  r["masterIdentifier"] = {{"system", "urn:ietf:rfc:3986"}, {"value", "urn:uuid:" + uuid_of(id)}};
  r["status"] = "current";
  if (auto type = codeable({d.contains("type") ? &d["type"] : nullptr}); !type.is_null())
    r["type"] = type;
  const std::string when = fhir_time(member(d, "date"));
  if (when.size() > 10)
    r["date"] = when;
  r["author"] = {source_org(d)};
  r["custodian"] = source_org(d);
  json attachment{{"contentType", member(d, "media_type").empty() ? "application/octet-stream"
                                                                  : member(d, "media_type")},
                  {"url", base_url + "/Binary/" + id}};
  if (d.contains("size") && d["size"].is_number_unsigned())
    attachment["size"] = d["size"];
  if (const std::string file = member(d, "file"); !file.empty())
    attachment["title"] = file.substr(file.find_last_of('/') + 1);
  put(attachment, "creation", when);
  r["content"] = {{{"attachment", attachment}}};
  return r;
}

// A DICOM study the facility holds (or its PACS) as JP_ImagingStudy_Radiology, with its
// DICOMweb (WADO-RS) endpoint at the portal; radiology orders and reports are not studies.
json imaging_study(const json& s, const std::string& person, const std::string& base_url) {
  if (member(s, "kind") != "study" || member(s, "study_uid").empty())
    return nullptr;
  json r = base("ImagingStudy", s, 0, person);
  r["status"] = "available";
  r["identifier"] = {{{"system", "urn:dicom:uid"}, {"value", "urn:oid:" + member(s, "study_uid")}}};
  if (!member(s, "accession_number").empty())
    r["identifier"].push_back(
        {{"type",
          {{"coding",
            {{{"system", "http://terminology.hl7.org/CodeSystem/v2-0203"}, {"code", "ACSN"}}}}}},
         {"value", member(s, "accession_number")}});
  if (s.contains("modalities") && s["modalities"].is_array()) {
    json mods = json::array();
    for (const auto& m : s["modalities"]) {
      if (m.is_string() && !m.get<std::string>().empty())
        mods.push_back({{"system", "http://dicom.nema.org/resources/ontology/DCM"}, {"code", m}});
    }
    if (!mods.empty())
      r["modality"] = mods;
  }
  put(r, "started", fhir_time(member(s, "date")));
  if (s.contains("series") && s["series"].is_number_unsigned())
    r["numberOfSeries"] = s["series"];
  if (s.contains("instances") && s["instances"].is_number_unsigned())
    r["numberOfInstances"] = s["instances"];
  put(r, "description", member(s, "description"));
  const std::string origin = base_url.substr(0, base_url.size() - std::string_view("/fhir").size());
  r["contained"] = {{{"resourceType", "Endpoint"},
                     {"id", "wado"},
                     {"status", "active"},
                     {"connectionType",
                      {{"system", "http://terminology.hl7.org/CodeSystem/endpoint-connection-type"},
                       {"code", "dicom-wado-rs"}}},
                     {"payloadType", {{{"text", "DICOM"}}}},
                     {"address", origin + "/api/v1/persons/" + person + "/imaging/" +
                                     member(s, "facility_oid") + "/dicomweb"}}};
  r["endpoint"] = {{{"reference", "#wado"}}};
  return r;
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

std::string profile_of(const std::string& type) {
  static const std::map<std::string, std::string> kProfiles = {
      {"AllergyIntolerance", "JP_AllergyIntolerance"},
      {"Condition", "JP_Condition"},
      {"DiagnosticReport", "JP_DiagnosticReport_LabResult"},
      {"Encounter", "JP_Encounter"},
      {"ImagingStudy", "JP_ImagingStudy_Radiology"},
      {"MedicationRequest", "JP_MedicationRequest"},
      {"Observation", "JP_Observation_LabResult"},
  };
  if (type == "DocumentReference")
    return kMhdProfile;
  auto it = kProfiles.find(type);
  return it == kProfiles.end() ? "" : kProfile + it->second;
}

}  // namespace hareyaka::fhir
