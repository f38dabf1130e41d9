#include "portal/locators/locator_routes.hpp"

#include <charconv>
#include <chrono>
#include <set>

#include "common/digest.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "consent/pg_consent_store.hpp"
#include "hpd/oid.hpp"
#include "proto/hl7v2/charset.hpp"

namespace hareyaka::portal {
namespace {

using http::Request;
using http::Response;
using nlohmann::json;

constexpr std::size_t kBodyLimit = 4 * 1024 * 1024;
constexpr std::size_t kMaxDocuments = 100'000;
constexpr std::size_t kMaxStudies = 20'000;
constexpr std::size_t kMaxIdLength = 128;

// The gateway data API's categories (what a locator counts).
const std::set<std::string, std::less<>>& known_categories() {
  static const std::set<std::string, std::less<>> k = {
      "encounters",    "allergies",       "diagnoses",  "meals",
      "prescriptions", "administrations", "injections", "injection_administrations",
      "lab_orders",    "lab_results",     "radiology",  "endoscopy",
      "physiology",    "documents"};
  return k;
}

[[noreturn]] void bad(const std::string& what) {
  throw Error(ErrorCode::kBadRequest, "bad locator: " + what);
}

bool digits(std::string_view s, std::size_t from, std::size_t n) {
  for (std::size_t i = from; i < from + n; ++i) {
    if (i >= s.size() || s[i] < '0' || s[i] > '9')
      return false;
  }
  return true;
}

bool is_date(const json& v) {  // YYYY-MM-DD
  if (!v.is_string())
    return false;
  const auto& s = v.get_ref<const std::string&>();
  return s.size() == 10 && digits(s, 0, 4) && s[4] == '-' && digits(s, 5, 2) && s[7] == '-' &&
         digits(s, 8, 2) && s.substr(5, 2) >= "01" && s.substr(5, 2) <= "12" &&
         s.substr(8, 2) >= "01" && s.substr(8, 2) <= "31";
}

bool is_utc_ms(const std::string& s) {  // YYYY-MM-DDTHH:MM:SS.mmmZ
  return s.size() == 24 && is_date(json(s.substr(0, 10))) && s[10] == 'T' && digits(s, 11, 2) &&
         s[13] == ':' && digits(s, 14, 2) && s[16] == ':' && digits(s, 17, 2) && s[19] == '.' &&
         digits(s, 20, 3) && s[23] == 'Z' && s.substr(11, 2) <= "23" && s.substr(14, 2) <= "59" &&
         s.substr(17, 2) <= "59";
}

bool is_id(const json& v) {
  if (!v.is_string())
    return false;
  const auto& s = v.get_ref<const std::string&>();
  return !s.empty() && s.size() <= kMaxIdLength;
}

void only_keys(const json& obj, std::initializer_list<const char*> keys, const std::string& where) {
  for (const auto& [k, v] : obj.items()) {
    bool ok = false;
    for (const char* allowed : keys)
      ok |= k == allowed;
    if (!ok)
      bad("unknown key '" + k + "' in " + where);
  }
}

// The facility of the calling gateway; 403 for a node that is not a registered gateway.
std::string facility_of_caller(const Request& req, const NodeFacilityLookup& facility_of) {
  const std::string fingerprint = req.peer ? req.peer->sha256_fingerprint : "";
  const auto facility = fingerprint.empty() ? std::nullopt : facility_of(fingerprint);
  if (!facility) {
    log::warn("locator call from an unregistered node refused",
              {.component = "locators", .peer = req.peer ? req.peer->subject : ""});
    throw Error(ErrorCode::kForbidden,
                "this node's certificate is not registered as a facility's gateway");
  }
  return *facility;
}

}  // namespace

json locator_content_of(const json& body) {
  if (!body.is_object())
    bad("the body must be a JSON object");
  only_keys(
      body,
      {"categories", "documents", "studies", "digest", "last_change", "facility_oid", "authority"},
      "the entry");
  const json categories = body.value("categories", json::object());
  if (!categories.is_object())
    bad("'categories' must be an object");
  for (const auto& [name, r] : categories.items()) {
    if (!known_categories().contains(name))
      bad("unknown category '" + name + "'");
    if (!r.is_object())
      bad("category '" + name + "' must be an object");
    only_keys(r, {"count", "first", "last"}, "category '" + name + "'");
    if (!r.contains("count") || !r["count"].is_number_integer() ||
        r["count"].get<std::int64_t>() < 0)
      bad("category '" + name + "' needs a non-negative integer 'count'");
    for (const char* k : {"first", "last"}) {
      if (r.contains(k) && !is_date(r[k]))
        bad("category '" + name + "': '" + k + "' must be a date YYYY-MM-DD");
    }
    if (r.contains("first") != r.contains("last"))
      bad("category '" + name + "': 'first' and 'last' go together");
  }
  const json documents = body.value("documents", json::array());
  if (!documents.is_array() || documents.size() > kMaxDocuments)
    bad("'documents' must be an array of at most " + std::to_string(kMaxDocuments) + " ids");
  for (const auto& d : documents) {
    if (!is_id(d))
      bad("a document id must be a string of 1 to " + std::to_string(kMaxIdLength) + " characters");
  }
  const json studies = body.value("studies", json::array());
  if (!studies.is_array() || studies.size() > kMaxStudies)
    bad("'studies' must be an array of at most " + std::to_string(kMaxStudies) + " studies");
  for (const auto& s : studies) {
    if (!s.is_object())
      bad("a study must be an object");
    only_keys(s, {"study_uid", "date", "modality"}, "a study");
    if (!s.contains("study_uid") || !is_id(s["study_uid"]))
      bad("a study needs a 'study_uid' of 1 to " + std::to_string(kMaxIdLength) + " characters");
    if (s.contains("date") && !is_date(s["date"]))
      bad("a study's 'date' must be a date YYYY-MM-DD");
    if (s.contains("modality") && !is_id(s["modality"]))
      bad("a study's 'modality' must be a short string");
  }
  return {{"categories", categories}, {"documents", documents}, {"studies", studies}};
}

void add_locator_routes(http::Router& nodes, LocatorStore& store, NodeFacilityLookup facility_of) {
  nodes.add_blocking(
      "PUT", "/api/gw/v1/locators/{patient_id}",
      [&store, facility_of](Request& req) {
        const std::string facility = facility_of_caller(req, facility_of);
        const std::string domain = hpd::patient_id_domain(facility);
        json body;
        try {
          body = json::parse(req.body);
        } catch (const json::exception&) {
          bad("the body is not JSON");
        }
        if (body.is_object()) {
          if ((body.contains("facility_oid") && body["facility_oid"] != facility) ||
              (body.contains("authority") && body["authority"] != domain)) {
            log::warn("locator for another facility refused",
                      {.component = "locators", .facility = facility});
            throw Error(ErrorCode::kForbidden,
                        "a gateway may only publish locators of its own facility (" + facility +
                            ", patient id domain " + domain + ")");
          }
        }
        const json content = locator_content_of(body);
        const std::string digest = body.value("digest", "");
        if (digest != sha256_hex(content.dump()))
          bad("'digest' is not the SHA-256 of the entry's content");
        const std::string last_change = body.value("last_change", "");
        if (!is_utc_ms(last_change))
          bad("'last_change' must be a UTC time YYYY-MM-DDTHH:MM:SS.mmmZ");
        const std::string& id = req.param("patient_id");
        if (id.empty() || id.size() > kMaxIdLength)
          bad("bad patient id");
        if (!store.identity_known(domain, id)) {
          throw Error(ErrorCode::kNotFound,
                      "unknown patient in " + domain + ": send its ITI-44 feed first");
        }
        const auto out = store.put({facility, domain, id}, digest, last_change, content);
        if (out.result == LocatorPut::kStale) {
          return Response::json(409,
                                json{{"error", "the portal holds a newer entry for this patient"},
                                     {"last_change", out.stored_last_change}}
                                    .dump());
        }
        static constexpr const char* kNames[] = {"created", "updated", "unchanged", "stale"};
        return Response::json(
            200, json{{"status", kNames[static_cast<int>(out.result)]}, {"digest", digest}}.dump());
      },
      {.body_limit = kBodyLimit, .summary = "a gateway's locator entry for one patient"});

  nodes.add_blocking(
      "DELETE", "/api/gw/v1/locators/{patient_id}",
      [&store, facility_of](Request& req) {
        const std::string facility = facility_of_caller(req, facility_of);
        const bool deleted =
            store.remove({facility, hpd::patient_id_domain(facility), req.param("patient_id")});
        return Response::json(200, json{{"deleted", deleted}}.dump());
      },
      {.body_limit = 0, .summary = "remove a locator entry (patient gone from the storage)"});

  nodes.add_blocking(
      "GET", "/api/gw/v1/locators",
      [&store, facility_of](Request& req) {
        const std::string facility = facility_of_caller(req, facility_of);
        int limit = 500;
        if (auto v = req.query_param("limit")) {
          auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), limit);
          if (ec != std::errc() || p != v->data() + v->size() || limit < 1 || limit > 1000)
            throw Error(ErrorCode::kBadRequest, "'limit' must be 1 to 1000");
        }
        const std::string after = req.query_param("after").value_or("");
        // A local id is text: other bytes would fail inside the statement (a 500).
        if (!hl7v2::is_valid_utf8(after))
          throw Error(ErrorCode::kBadRequest, "invalid parameter 'after': not UTF-8 text");
        auto rows = store.page(facility, hpd::patient_id_domain(facility), after, limit);
        json items = json::array();
        for (const auto& r : rows) {
          items.push_back(
              {{"patient_id", r.local_id}, {"digest", r.digest}, {"last_change", r.last_change}});
        }
        json out{{"items", items}, {"next_after", nullptr}};
        if (static_cast<int>(rows.size()) == limit)
          out["next_after"] = rows.back().local_id;
        return Response::json(200, out.dump());
      },
      {.body_limit = 0, .summary = "this gateway's locator digests, paged, for resync"});
}

void add_consented_patients_route(http::Router& nodes, pg::Pool& pool,
                                  NodeFacilityLookup facility_of) {
  nodes.add_blocking(
      "GET", "/api/gw/v1/consented-patients",
      [&pool, facility_of](Request& req) {
        const std::string facility = facility_of_caller(req, facility_of);
        int limit = 1000;
        if (auto v = req.query_param("limit")) {
          auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), limit);
          if (ec != std::errc() || p != v->data() + v->size() || limit < 1 || limit > 10000)
            throw Error(ErrorCode::kBadRequest, "'limit' must be 1 to 10000");
        }
        const std::string after = req.query_param("after").value_or("");
        if (!hl7v2::is_valid_utf8(after))
          throw Error(ErrorCode::kBadRequest, "invalid parameter 'after': not UTF-8 text");
        const auto ids =
            consent::consented_local_ids(pool, facility, hpd::patient_id_domain(facility), after,
                                         limit, std::chrono::system_clock::now());
        json out{{"items", ids}, {"next_after", nullptr}};
        if (static_cast<int>(ids.size()) == limit)
          out["next_after"] = ids.back();
        return Response::json(200, out.dump());
      },
      {.body_limit = 0, .summary = "this gateway's patients a consent in force discloses"});
}

}  // namespace hareyaka::portal
