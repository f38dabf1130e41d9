#include "portal/fhir/fhir_clinical.hpp"

#include <charconv>
#include <map>

#include "common/error.hpp"
#include "portal/fhir/fhir_mapping.hpp"
#include "portal/viewer/viewer_access.hpp"
#include "proto/hl7v2/charset.hpp"

namespace hareyaka::fhir {
namespace {

namespace net = boost::asio;
using http::Request;
using http::Response;
using nlohmann::json;

struct TypeInfo {
  const char* category;            // the viewer's
  std::set<std::string> params;    // besides patient, subject, date, _count, _page, _include
  std::set<std::string> includes;  // _include values
};
const std::map<std::string, TypeInfo>& types() {
  static const std::map<std::string, TypeInfo> kTypes = {
      {"AllergyIntolerance", {"allergies", {}, {"AllergyIntolerance:patient"}}},
      {"Condition", {"diagnoses", {}, {"Condition:patient", "Condition:subject"}}},
      {"DiagnosticReport",
       {"lab_results",
        {"category"},
        {"DiagnosticReport:patient", "DiagnosticReport:subject", "DiagnosticReport:result"}}},
      {"DocumentReference",
       {"documents", {"status"}, {"DocumentReference:patient", "DocumentReference:subject"}}},
      {"Encounter", {"encounters", {}, {"Encounter:patient", "Encounter:subject"}}},
      {"ImagingStudy", {"imaging", {}, {"ImagingStudy:patient", "ImagingStudy:subject"}}},
      {"MedicationRequest",
       {"prescriptions",
        {},
        {"MedicationRequest:patient", "MedicationRequest:subject",
         "MedicationRequest:medication"}}},
      {"Observation",
       {"lab_results", {"category", "code"}, {"Observation:patient", "Observation:subject"}}},
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
      if (member(c, "code") == code && (bar == std::string::npos || member(c, "system") == system))
        return true;
    }
    from = comma + 1;
  }
  return false;
}

json missing_outcome(const json& missing) {
  json issues = json::array();
  for (const auto& m : missing) {
    issues.push_back(
        {{"severity", "warning"},
         {"code", "transient"},
         {"diagnostics", member(m, "facility_name") + " (" + member(m, "facility_oid") +
                             ") did not answer: " + member(m, "reason")}});
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
          for (auto& o : clinical_resources("Observation", item, person, base_url)) {
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
        sv.viewer, t.caller, in, member(found->first, "facility_oid"), member(found->first, "id"));
  } catch (const Error& e) {
    co_return operation_outcome(e);
  }
}

}  // namespace

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
    const std::string profile = profile_of(type);
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
