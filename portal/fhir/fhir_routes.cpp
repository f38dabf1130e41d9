#include "portal/fhir/fhir_routes.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/params_view.hpp>
#include <boost/url/parse_query.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <charconv>
#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "portal/audit/audit_log.hpp"
#include "portal/fhir/fhir_clinical.hpp"
#include "portal/viewer/viewer_access.hpp"
#include "proto/hl7v2/charset.hpp"

namespace hareyaka::fhir {
namespace {

using http::Request;
using http::Response;
using nlohmann::json;
using portal::PersonIdentity;
using portal::PersonView;

constexpr const char* kFhirJson = "application/fhir+json; charset=utf-8";
constexpr const char* kJpPatient = "http://jpfhir.jp/fhir/core/StructureDefinition/JP_Patient";
constexpr const char* kRepresentation =
    "http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation";

Response fhir(int status, const json& body) {
  return Response::text(status, body.dump(), kFhirJson);
}

std::string_view issue_code(ErrorCode c) {
  switch (c) {
    case ErrorCode::kBadRequest:
    case ErrorCode::kUnprocessable:
      return "invalid";
    case ErrorCode::kUnauthorized:
      return "login";
    case ErrorCode::kForbidden:
      return "forbidden";
    case ErrorCode::kNotFound:
      return "not-found";
    case ErrorCode::kUnavailable:
    case ErrorCode::kTimeout:
      return "transient";
    default:
      return "exception";
  }
}

// Every FHIR handler: the token checked, errors as OperationOutcome.
template <typename F>
void fhir_route(http::Router& web, FhirServices& sv, const char* pattern, F f,
                const char* summary) {
  web.add_blocking("GET", pattern,
                   [&sv, f](Request& req) {
                     try {
                       return f(sv, sv.smart.require_token(req), req);
                     } catch (const Error& e) {
                       return operation_outcome(e);
                     }
                   },
                   {.body_limit = 0, .summary = summary});
}

std::string gender(const std::string& sex) {
  return sex == "M" ? "male" : sex == "F" ? "female" : sex == "O" ? "other" : "unknown";
}

std::string fhir_date(const std::string& yyyymmdd) {
  if (yyyymmdd.size() != 8)
    return "";
  return yyyymmdd.substr(0, 4) + "-" + yyyymmdd.substr(4, 2) + "-" + yyyymmdd.substr(6, 2);
}

json human_name(const std::string& family, const std::string& given, const char* representation) {
  json n{{"extension", {{{"url", kRepresentation}, {"valueCode", representation}}}},
         {"use", "official"},
         {"text", given.empty() ? family : family + " " + given},
         {"family", family}};
  if (!given.empty())
    n["given"] = {given};
  return n;
}

std::string system_of(const std::string& authority) {
  return "urn:oid:" + authority;
}

// JP_Patient from the identities the user may see: every identifier, the names and the
// demographics of the first identity that has them.
json patient(const PersonView& p) {
  json ids = json::array();
  const PersonIdentity* best = &p.identities.front();
  for (const auto& i : p.identities) {
    ids.push_back({{"system", system_of(i.authority)}, {"value", i.local_id}});
    if (best->family_kanji.empty() && !i.family_kanji.empty())
      best = &i;
  }
  json names = json::array();
  if (!best->family_kanji.empty())
    names.push_back(human_name(best->family_kanji, best->given_kanji, "IDE"));
  if (!best->family_kana.empty())
    names.push_back(human_name(best->family_kana, best->given_kana, "SYL"));
  json r{{"resourceType", "Patient"},
         {"id", std::to_string(p.person_id)},
         {"meta", {{"profile", {kJpPatient}}}},
         {"identifier", ids},
         {"gender", gender(best->sex)}};
  if (!names.empty())
    r["name"] = names;
  if (const auto d = fhir_date(best->birth_date); !d.empty())
    r["birthDate"] = d;
  return r;
}

[[noreturn]] void bad(const std::string& what) {
  throw Error(ErrorCode::kBadRequest, what);
}

std::string text(const Request& req, const char* name) {
  std::string v = req.query_param(name).value_or("");
  if (!hl7v2::is_valid_utf8(v))
    bad(std::string("parameter ") + name + " is not UTF-8");
  return v;
}

// "system|value" or "value"; system "urn:oid:<authority>".
std::pair<std::string, std::string> token_param(const std::string& v, const char* name) {
  const auto bar = v.find('|');
  if (bar == std::string::npos)
    return {"", v};
  std::string system = v.substr(0, bar);
  if (!system.empty() && system.rfind("urn:oid:", 0) != 0)
    bad(std::string(name) + ": the system must be urn:oid:<assigning authority>");
  return {system.empty() ? "" : system.substr(8), v.substr(bar + 1)};
}

int count_param(const Request& req) {
  const auto v = req.query_param("_count");
  if (!v)
    return 50;
  int n = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || p != v->data() + v->size() || n < 1 || n > 200)
    bad("_count must be an integer from 1 to 200");
  return n;
}

audit::AuditEvent search_event(const portal::Caller& c, const Request& req, std::string detail) {
  return {.type = audit::EventType::kSearch,
          .actor_user = c.user.login_id,
          .actor_profession = std::string(hpd::to_string(c.user.profession)),
          .actor_facility = c.user.facility_oid,
          .detail = std::move(detail),
          .request_id = req.request_id};
}

std::string encode(std::string_view s) {
  return boost::urls::encode(s, boost::urls::unreserved_chars);
}

// ITI-78 Mobile Patient Demographics Query.
Response search(FhirServices& sv, const TokenCaller& t, const Request& req) {
  if (!t.may_read("Patient"))
    throw Error(ErrorCode::kForbidden, "the token's scopes do not cover Patient");
  static const std::set<std::string> kKnown = {"identifier", "name",   "family", "given",
                                               "birthdate",  "gender", "_count", "_page"};
  for (const auto& [k, v] : req.query) {
    if (!kKnown.contains(k))
      bad("search parameter " + k + " is not supported (see /fhir/metadata)");
  }
  portal::PersonSearch s;
  std::string authority;
  if (auto id = text(req, "identifier"); !id.empty())
    std::tie(authority, s.local_id) = token_param(id, "identifier");
  s.q = text(req, "name");
  if (s.q.empty())
    s.q = text(req, "family") + text(req, "given");
  // With or without the space between family and given name (ASCII or ideographic).
  for (std::string_view space : {" ", "\u3000"}) {
    for (auto at = s.q.find(space); at != std::string::npos; at = s.q.find(space))
      s.q.erase(at, space.size());
  }
  if (auto d = text(req, "birthdate"); !d.empty()) {
    if (d.rfind("eq", 0) == 0)
      d = d.substr(2);
    if (d.size() != 10 || d[4] != '-' || d[7] != '-')
      bad("birthdate must be YYYY-MM-DD (eq only)");
    s.birth_date = d.substr(0, 4) + d.substr(5, 2) + d.substr(8, 2);
  }
  if (auto g = text(req, "gender"); !g.empty()) {
    static const std::map<std::string, std::string> kSex = {
        {"male", "M"}, {"female", "F"}, {"other", "O"}, {"unknown", "U"}};
    auto it = kSex.find(g);
    if (it == kSex.end())
      bad("gender must be male, female, other or unknown");
    s.sex = it->second;
  }
  s.limit = count_param(req);
  if (auto page = req.query_param("_page"); page && !page->empty()) {
    auto [p, ec] = std::from_chars(page->data(), page->data() + page->size(), s.after);
    if (ec != std::errc() || p != page->data() + page->size() || s.after < 0)
      bad("_page is the cursor of a next link");
  }
  if (s.q.empty() && s.birth_date.empty() && s.sex.empty() && s.local_id.empty())
    bad("give at least one of identifier, name, family, given, birthdate, gender");
  const auto& c = t.caller;
  auto page = sv.viewer.persons.search(portal::user_context(c), s, hpd::Clock::now());
  json entries = json::array();
  const std::string base = fhir_base(req);
  const auto only = t.confined("Patient");
  for (const auto& p : page.items) {
    if (only && p.person_id != *only)
      continue;
    if (!authority.empty() &&
        std::none_of(p.identities.begin(), p.identities.end(), [&](const PersonIdentity& i) {
          return i.authority == authority && i.local_id == s.local_id;
        }))
      continue;
    entries.push_back({{"fullUrl", base + "/Patient/" + std::to_string(p.person_id)},
                       {"resource", patient(p)},
                       {"search", {{"mode", "match"}}}});
  }
  sv.viewer.web.audit.append(
      search_event(c, req, "FHIR ITI-78 results=" + std::to_string(entries.size())),
      hpd::Clock::now());
  return searchset(req, "Patient", std::move(entries),
                   page.next_after != 0 ? std::to_string(page.next_after) : "");
}

std::optional<PersonView> shown_person(FhirServices& sv, const portal::Caller& c,
                                       std::int64_t person_id) {
  const auto now = hpd::Clock::now();
  auto person = sv.viewer.persons.visible_person(c.user.facility_oid, person_id, now);
  if (!person)
    return std::nullopt;
  const auto answers = sv.viewer.decider.decide_many(portal::user_context(c),
                                                     portal::demographics_queries(*person), now);
  PersonView shown = portal::shown_part(*person, answers.data());
  if (shown.identities.empty())
    return std::nullopt;
  return shown;
}

Response read(FhirServices& sv, const TokenCaller& t, const Request& req) {
  if (!t.may_read("Patient"))
    throw Error(ErrorCode::kForbidden, "the token's scopes do not cover Patient");
  const auto& c = t.caller;
  const std::string& id = req.param("id");
  std::int64_t person_id = 0;
  auto [p, ec] = std::from_chars(id.data(), id.data() + id.size(), person_id);
  const auto only = t.confined("Patient");
  auto shown = ec == std::errc() && p == id.data() + id.size() && person_id > 0 &&
                       (!only || *only == person_id)
                   ? patient_resource(sv, c, person_id, req)
                   : std::nullopt;
  if (!shown) {
    audit::AuditEvent e{.type = audit::EventType::kView,
                        .outcome = audit::Outcome::kDenied,
                        .actor_user = c.user.login_id,
                        .actor_profession = std::string(hpd::to_string(c.user.profession)),
                        .actor_facility = c.user.facility_oid,
                        .person_id = id.size() <= 20 ? id : "",
                        .category = "demographics",
                        .reason = std::string(consent::to_string(consent::DenyReason::kNoConsent)),
                        .detail = "FHIR Patient read",
                        .request_id = req.request_id};
    sv.viewer.web.audit.append(e, hpd::Clock::now());
    throw Error(ErrorCode::kNotFound, "Patient/" + id + " is not known");
  }
  return fhir(200, *shown);
}

// ITI-83 Mobile Patient Identifier Cross-reference Query: the person's other identifiers the
// user may see. An identifier the user may not see is "not found" (PIXm: 404 with an
// OperationOutcome), the same as an unknown one.
Response pix(FhirServices& sv, const TokenCaller& t, const Request& req) {
  if (!t.may_read("Patient"))
    throw Error(ErrorCode::kForbidden, "the token's scopes do not cover Patient");
  for (const auto& [k, v] : req.query) {
    if (k != "sourceIdentifier" && k != "targetSystem" && k != "_format")
      bad("parameter " + k + " is not supported by $ihe-pix");
  }
  const auto [authority, local] = token_param(text(req, "sourceIdentifier"), "sourceIdentifier");
  if (authority.empty() || local.empty())
    bad("sourceIdentifier must be urn:oid:<assigning authority>|<id>");
  std::string target;
  if (auto ts = text(req, "targetSystem"); !ts.empty()) {
    if (ts.rfind("urn:oid:", 0) != 0)
      bad("targetSystem must be urn:oid:<assigning authority>");
    target = ts.substr(8);
  }
  const auto& c = t.caller;
  portal::PersonSearch s;
  s.local_id = local;
  s.limit = 200;
  auto page = sv.viewer.persons.search(portal::user_context(c), s, hpd::Clock::now());
  const PersonView* person = nullptr;
  const auto only = t.confined("Patient");
  for (const auto& p : page.items) {
    if (only && p.person_id != *only)
      continue;
    for (const auto& i : p.identities) {
      if (i.authority == authority && i.local_id == local)
        person = &p;
    }
  }
  sv.viewer.web.audit.append(
      search_event(c, req, std::string("FHIR ITI-83 ") + (person ? "found" : "not found")),
      hpd::Clock::now());
  if (!person)
    throw Error(ErrorCode::kNotFound, "sourceIdentifier is not known");
  json params = json::array();
  for (const auto& i : person->identities) {
    if ((i.authority == authority && i.local_id == local) ||
        (!target.empty() && i.authority != target))
      continue;
    params.push_back(
        {{"name", "targetIdentifier"},
         {"valueIdentifier", {{"system", system_of(i.authority)}, {"value", i.local_id}}}});
  }
  params.push_back(
      {{"name", "targetId"},
       {"valueReference", {{"reference", "Patient/" + std::to_string(person->person_id)}}}});
  return fhir(200, {{"resourceType", "Parameters"}, {"parameter", params}});
}

json capability_statement(const Request& req) {
  json search_params = json::array();
  for (const auto& [name, type] :
       std::vector<std::pair<const char*, const char*>>{{"identifier", "token"},
                                                        {"name", "string"},
                                                        {"family", "string"},
                                                        {"given", "string"},
                                                        {"birthdate", "date"},
                                                        {"gender", "token"}})
    search_params.push_back({{"name", name}, {"type", type}});
  json resources = json::array();
  resources.push_back(
      {{"type", "Patient"},
       {"supportedProfile", {kJpPatient}},
       {"interaction", {{{"code", "read"}}, {{"code", "search-type"}}}},
       {"searchParam", search_params},
       {"operation",
        {{{"name", "ihe-pix"},
          {"definition", "https://profiles.ihe.net/ITI/PIXm/OperationDefinition/IHE.PIXm.pix"}}}}});
  for (auto& r : clinical_capabilities())
    resources.push_back(std::move(r));
  return {{"resourceType", "CapabilityStatement"},
          {"status", "active"},
          {"date", "2026-12-06"},
          {"publisher", "Hareyaka"},
          {"kind", "instance"},
          {"software", {{"name", "Hareyaka portal"}}},
          {"implementation",
           {{"description", "Hareyaka regional EHR exchange"}, {"url", fhir_base(req)}}},
          {"fhirVersion", "4.0.1"},
          {"format", {"application/fhir+json"}},
          {"implementationGuide",
           {"http://jpfhir.jp/fhir/core/ImplementationGuide/jp-core.r4",
            "https://profiles.ihe.net/ITI/PDQm/ImplementationGuide/ihe.iti.pdqm",
            "https://profiles.ihe.net/ITI/PIXm/ImplementationGuide/ihe.iti.pixm"}},
          {"rest",
           {{{"mode", "server"},
             {"documentation",
              "Every resource is decided by the patient's consent and the role policy, as in the "
              "portal's web UI; a resource the user may not see reads as not found."},
             {"security",
              {{"service",
                {{{"coding",
                   {{{"system", "http://hl7.org/fhir/restful-security-service"},
                     {"code", "SMART-on-FHIR"}}}}}}},
               {"extension",
                {{{"url", "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"},
                  {"extension",
                   {{{"url", "authorize"}, {"valueUri", fhir_base(req) + "/auth/authorize"}},
                    {{"url", "token"}, {"valueUri", fhir_base(req) + "/auth/token"}}}}}}}}},
             {"resource", resources}}}}};
}

}  // namespace

std::optional<json> patient_resource(FhirServices& sv, const portal::Caller& c,
                                     std::int64_t person_id, const Request& req) {
  auto shown = shown_person(sv, c, person_id);
  if (!shown)
    return std::nullopt;
  std::vector<audit::AuditEvent> events;
  for (const auto& i : shown->identities)
    events.push_back(portal::view_event(c, *shown, i, "demographics", audit::Outcome::kSuccess, "",
                                        req.request_id, "FHIR Patient read"));
  sv.viewer.web.audit.append_all(events, hpd::Clock::now());
  return patient(*shown);
}

Response searchset(const Request& req, const std::string& type, json entries,
                   const std::string& next_page) {
  const std::string url = fhir_base(req) + "/" + type;
  auto with_query = [&](bool keep_page) {
    std::string out = url;
    char sep = '?';
    for (const auto& [k, v] : req.query) {
      if (k == "_page" && !keep_page)
        continue;
      out += sep + encode(k) + "=" + encode(v);
      sep = '&';
    }
    return out;
  };
  json links = json::array({{{"relation", "self"}, {"url", with_query(true)}}});
  if (!next_page.empty()) {
    const std::string next = with_query(false);
    links.push_back({{"relation", "next"},
                     {"url", next + (next == url ? "?" : "&") + "_page=" + encode(next_page)}});
  }
  return fhir(200, {{"resourceType", "Bundle"},
                    {"type", "searchset"},
                    {"link", links},
                    {"entry", std::move(entries)}});
}

Response operation_outcome(const Error& e) {
  json oo{
      {"resourceType", "OperationOutcome"},
      {"issue",
       {{{"severity", "error"}, {"code", issue_code(e.code())}, {"diagnostics", e.external()}}}}};
  Response r = fhir(http_status(e.code()), oo);
  if (e.code() == ErrorCode::kUnauthorized)
    r.headers["WWW-Authenticate"] = "Bearer realm=\"hareyaka\", error=\"invalid_token\"";
  return r;
}

// POST /fhir/auth/launch {"request": "<the authorize query>", "patient": "<Patient id>"}: the
// second step of a launch/patient authorization, from the portal's patient picker (a session
// and its CSRF token). The patient must be one the user may see; the answer is where to send
// the browser: the app's redirect URI with a code, or its error.
Response launch(FhirServices& sv, Request& req) {
  const portal::Caller c = portal::require_caller(sv.viewer.web, req);
  const json body = json::parse(req.body, nullptr, false);
  if (!body.is_object() || !body.contains("request") || !body["request"].is_string() ||
      !body.contains("patient") || !body["patient"].is_string())
    bad("the body is {\"request\": \"<authorize query>\", \"patient\": \"<Patient id>\"}");
  const std::string query = body["request"].get<std::string>();
  const std::string id = body["patient"].get<std::string>();
  std::int64_t person_id = 0;
  auto [p, ec] = std::from_chars(id.data(), id.data() + id.size(), person_id);
  if (ec != std::errc() || p != id.data() + id.size() || person_id <= 0 ||
      !shown_person(sv, c, person_id))
    throw Error(ErrorCode::kNotFound, "Patient/" + id.substr(0, 20) + " is not known");
  auto parsed = boost::urls::parse_query(query);
  if (!parsed)
    bad("request is not a query string");
  Request inner = req;
  inner.method = "GET";
  inner.body.clear();
  inner.target = "/fhir/auth/authorize?" + query;
  inner.path = "/fhir/auth/authorize";
  inner.query.clear();
  // As the server reads a request's query ('+' is a space).
  boost::urls::encoding_opts opts;
  opts.space_as_plus = true;
  for (auto q : boost::urls::params_view(query, opts))
    inner.query.emplace(q.key, q.has_value ? q.value : "");
  Response r = sv.smart.authorize(inner, person_id);
  auto loc = r.headers.find("Location");
  if (r.status != 302 || loc == r.headers.end() || loc->second.rfind("/#/", 0) == 0)
    throw Error(ErrorCode::kBadRequest, "the authorization request cannot be completed");
  Response out = Response::json(200, json{{"redirect", loc->second}}.dump());
  out.headers["Cache-Control"] = "no-store";
  return out;
}

void add_fhir_routes(http::Router& web, FhirServices& sv) {
  // The ImagingStudy's WADO-RS Endpoint is the viewer's DICOMweb route: an app's token is a
  // caller there too, with its scopes and launch patient.
  sv.viewer.bearer_caller = [&sv](const Request& req) {
    const TokenCaller t = sv.smart.require_token(req);
    if (!t.may_read("ImagingStudy"))
      throw Error(ErrorCode::kForbidden, "the token's scopes do not cover ImagingStudy");
    if (auto only = t.confined("ImagingStudy");
        only && std::to_string(*only) != req.param("person_id"))
      throw Error(ErrorCode::kNotFound, "no such person at this facility");
    return t.caller;
  };
  web.add_blocking("GET", "/fhir/metadata",
                   [](Request& req) { return fhir(200, capability_statement(req)); },
                   {.body_limit = 0, .summary = "FHIR CapabilityStatement (JP Core, PDQm, PIXm)"});
  sv.smart.add_routes(web);
  web.add_blocking("POST", "/fhir/auth/launch", [&sv](Request& req) { return launch(sv, req); },
                   {.body_limit = 8 * 1024,
                    .summary = "SMART launch/patient: the patient the user picked, then a code"});
  // Before Patient/{id}: the first matching route answers.
  fhir_route(web, sv, "/fhir/Patient/$ihe-pix", pix, "IHE PIXm ITI-83");
  fhir_route(web, sv, "/fhir/Patient/{id}", read, "FHIR Patient read (JP_Patient)");
  fhir_route(web, sv, "/fhir/Patient", search, "FHIR Patient search (IHE PDQm ITI-78)");
  add_clinical_routes(web, sv);
}

}  // namespace hareyaka::fhir
