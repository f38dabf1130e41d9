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

std::string logical_id(const std::string& type, const json& item, std::size_t n) {
  return sha256_hex(type + "|" + str(item, "facility_oid") + "|" + std::to_string(n) + "|" +
                    item.dump())
      .substr(0, 40);
}

json base(const std::string& type, const char* profile, const json& item, std::size_t n,
          const std::string& person) {
  return {{"resourceType", type},
          {"id", logical_id(type, item, n)},
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

struct TypeInfo {
  const char* category;  // the viewer's
  const char* scope_type;
};
const std::map<std::string, TypeInfo>& types() {
  static const std::map<std::string, TypeInfo> kTypes = {
      {"Condition", {"diagnoses", "Condition"}},
      {"AllergyIntolerance", {"allergies", "AllergyIntolerance"}},
      {"MedicationRequest", {"prescriptions", "MedicationRequest"}},
      {"Observation", {"lab_results", "Observation"}},
  };
  return kTypes;
}

[[noreturn]] void bad(const std::string& what) {
  throw Error(ErrorCode::kBadRequest, what);
}

// The viewer request underneath: person_id, from/to (date ge/le), page_size, cursor.
Request inner_request(const Request& req, const std::string& type) {
  Request in;
  in.method = "GET";
  in.request_id = req.request_id;
  in.headers = req.headers;
  std::string patient;
  static const std::set<std::string> kCommon = {"patient", "subject", "date",
                                                "_count",  "_page",   "category"};
  for (const auto& [k, v] : req.query) {
    if (!kCommon.contains(k))
      bad("search parameter " + k + " is not supported for " + type + " (see /fhir/metadata)");
    if (!hl7v2::is_valid_utf8(v))
      bad("parameter " + k + " is not UTF-8");
  }
  patient = req.query_param("patient").value_or(req.query_param("subject").value_or(""));
  if (patient.rfind("Patient/", 0) == 0)
    patient = patient.substr(8);
  if (patient.empty() || patient.find_first_not_of("0123456789") != std::string::npos)
    bad("patient=<Patient id> is required");
  in.params["person_id"] = patient;
  if (auto c = req.query_param("category"); c && type == "Observation" && *c != "laboratory" &&
                                            *c !=
                                                "http://terminology.hl7.org/CodeSystem/"
                                                "observation-category|laboratory")
    bad("category: only laboratory is served");
  else if (c && type != "Observation")
    bad("category is not supported for " + type);
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

net::awaitable<Response> search(FhirServices& sv, const std::string& type, Request& req) {
  try {
    const TokenCaller t =
        co_await portal::offload(sv.viewer.workers, [&] { return sv.smart.require_token(req); });
    if (!t.may_read(types().at(type).scope_type))
      throw Error(ErrorCode::kForbidden, "the token's scopes do not cover " + type);
    Request in = inner_request(req, type);
    json entries = json::array();
    portal::CategoryPage page;
    try {
      page = co_await portal::fetch_category(sv.viewer, t.caller, in, types().at(type).category);
    } catch (const Error& e) {
      // Not visible, or a category no source may show this user: an empty searchset,
      // the same as a patient with no such records.
      if (e.code() != ErrorCode::kNotFound && e.code() != ErrorCode::kForbidden)
        throw;
    }
    const std::string base_url = fhir_base(req);
    const std::string person = in.params["person_id"];
    if (page.items.is_array()) {
      for (const auto& item : page.items) {
        json rs = clinical_resources(type, item, person);
        for (auto& r : rs) {
          const std::string full = base_url + "/" + type + "/" + r["id"].get<std::string>();
          entries.push_back(
              {{"fullUrl", full}, {"resource", std::move(r)}, {"search", {{"mode", "match"}}}});
        }
      }
    }
    if (page.missing.is_array() && !page.missing.empty()) {
      json issues = json::array();
      for (const auto& m : page.missing) {
        issues.push_back({{"severity", "warning"},
                          {"code", "transient"},
                          {"diagnostics", str(m, "facility_name") + " (" + str(m, "facility_oid") +
                                              ") did not answer: " + str(m, "reason")}});
      }
      entries.push_back({{"resource", {{"resourceType", "OperationOutcome"}, {"issue", issues}}},
                         {"search", {{"mode", "outcome"}}}});
    }
    co_return searchset(req, type, std::move(entries), page.next_cursor);
  } catch (const Error& e) {
    co_return operation_outcome(e);
  }
}

}  // namespace

json clinical_resources(const std::string& type, const json& item, const std::string& person) {
  if (type == "Condition")
    return json::array({condition(item, person)});
  if (type == "AllergyIntolerance")
    return json::array({allergy(item, person)});
  if (type == "MedicationRequest")
    return json::array({medication_request(item, person)});
  if (type == "Observation")
    return observations(item, person);
  return json::array();
}

void add_clinical_routes(http::Router& web, FhirServices& sv) {
  for (const auto& [type, info] : types()) {
    web.add("GET", "/fhir/" + type,
            [&sv, type = type](Request& req) -> net::awaitable<Response> {
              co_return co_await search(sv, type, req);
            },
            {.body_limit = 0,
             .summary =
                 "FHIR " + type + " search by patient (from the gateways' " + info.category + ")"});
  }
}

}  // namespace hareyaka::fhir
