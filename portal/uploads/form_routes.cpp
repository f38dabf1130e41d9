#include "portal/uploads/form_routes.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>

#include "common/error.hpp"
#include "common/log.hpp"
#include "consent/pg_consent_store.hpp"
#include "hpd/oid.hpp"
#include "portal/audit/audit_log.hpp"
#include "portal/viewer/viewer_access.hpp"
#include "proto/encoding/dates.hpp"

namespace hareyaka::portal {
namespace {

namespace net = boost::asio;
using http::Request;
using http::Response;
using nlohmann::json;

constexpr const char* kPatientsRoute = "/api/v1/uploads/patients";
constexpr const char* kDocumentsRoute = "/api/v1/uploads/documents";
constexpr std::size_t kDocumentLimit = (32u << 20) + 1;

// A live consent of this patient from this facility for every facility, from the same consent
// form: a registration sent again records no second one.
constexpr pg::Statement kLiveConsent{
    "form_live_consent",
    "SELECT id FROM consents WHERE patient_authority = $1 AND patient_local_id = $2 AND "
    "source_facility = $3 AND viewer_key = '*' AND document_ref = $4 AND withdrawn_at IS NULL "
    "LIMIT 1"};

void record(FormServices& sv, const Request& req, const std::optional<Caller>& caller,
            audit::Outcome outcome, std::string reason, std::string detail) {
  auto e = upload_event(req, caller);
  e.outcome = outcome;
  e.reason = std::move(reason);
  e.detail = std::move(detail);
  sv.uploads.web.audit.append(e, hpd::Clock::now());
}

// The session's caller, a data manager whose facility has a gateway, with a body of one of
// `types`: every refusal is on record before it is thrown.
Caller admit(FormServices& sv, const Request& req, const char* route,
             const std::vector<std::string>& types, const char* wrong_type) {
  std::optional<Caller> caller;
  const std::string size = "bytes=" + std::to_string(req.body.size());
  try {
    caller = require_caller(sv.uploads.web, req);
  } catch (const Error& e) {
    record(sv, req, caller, audit::Outcome::kDenied,
           e.code() == ErrorCode::kForbidden ? "csrf" : "unauthorized",
           "POST " + std::string(route) + " " + size);
    throw;
  }
  auto refuse = [&](const char* reason, audit::Outcome outcome, ErrorCode code,
                    const std::string& message) {
    record(sv, req, caller, outcome, reason, size);
    throw Error(code, message);
  };
  if (caller->user.profession != hpd::Profession::kDataManager)
    refuse("not_data_manager", audit::Outcome::kDenied, ErrorCode::kForbidden,
           "the web form needs the facility data manager role (施設データ管理者)");
  if (std::find(types.begin(), types.end(), req.media_type()) == types.end())
    refuse("unsupported_media_type", audit::Outcome::kFailure, ErrorCode::kUnsupportedMediaType,
           wrong_type);
  if (req.body.empty())
    refuse("empty_body", audit::Outcome::kFailure, ErrorCode::kBadRequest, "the body is empty");
  if (caller->facility.gateway_url.empty())
    refuse("no_gateway", audit::Outcome::kFailure, ErrorCode::kConflict,
           "your facility has no gateway registered in the directory, so nothing can be "
           "stored yet; ask the secretariat to register its hosted gateway");
  return *caller;
}

// Forwards to the facility's gateway; an unreachable gateway is on record and thrown.
net::awaitable<http::ClientResponse> forward(FormServices& sv, const Caller& caller,
                                             const Request& req, std::string path_and_query,
                                             std::string content_type, std::string body) {
  http::ClientRequest up{.method = "POST",
                         .url = caller.facility.gateway_url + path_and_query,
                         .timeout = sv.uploads.timeout};
  up.headers[kAssertionHeader] = upload_assertion(sv.uploads, caller, req);
  up.headers["Content-Type"] = std::move(content_type);
  up.headers["X-Request-Id"] = req.request_id;
  const std::size_t bytes = body.size();
  up.body = std::move(body);
  std::optional<ErrorCode> failed;
  try {
    co_return co_await sv.uploads.gateways.request(std::move(up));
  } catch (const Error& e) {
    failed = e.code() == ErrorCode::kTimeout ? ErrorCode::kTimeout : ErrorCode::kUnavailable;
    log::warn("form upload to the facility gateway failed", {.request_id = req.request_id,
                                                             .component = "uploads",
                                                             .facility = caller.facility.oid,
                                                             .detail = e.internal()});
  }
  co_await offload(sv.uploads.workers, [&] {
    record(sv, req, caller, audit::Outcome::kFailure,
           *failed == ErrorCode::kTimeout ? "gateway_timeout" : "gateway_unreachable",
           "bytes=" + std::to_string(bytes));
    return 0;
  });
  throw Error(*failed,
              "your facility's gateway cannot be reached or did not answer; try again later or "
              "tell the secretariat");
}

audit::Outcome outcome_of(int status) {
  return status >= 200 && status < 300    ? audit::Outcome::kSuccess
         : status == 401 || status == 403 ? audit::Outcome::kDenied
                                          : audit::Outcome::kFailure;
}

Response answer_of(int status, std::string body) {
  Response out;
  out.status = status;
  out.headers["Content-Type"] = "application/json";
  out.body = std::move(body);
  return out;
}

struct ConsentForm {
  std::string document_ref;
  hpd::TimePoint starts_at;
};

// The consent the data manager obtained: required, with the consent form's reference and its
// date (the day it is in force from, 00:00 Japan time).
ConsentForm consent_of(const json& body) {
  const auto obtained = body.find("consent_obtained");
  if (obtained == body.end() || !obtained->is_boolean() || !obtained->get<bool>())
    throw Error(ErrorCode::kUnprocessable,
                "consent_obtained: the patient's consent (同意) must be obtained before "
                "registering");
  ConsentForm c;
  c.document_ref = body.value("consent_document_ref", json("")).is_string()
                       ? body.value("consent_document_ref", "")
                       : "";
  if (c.document_ref.empty() || c.document_ref.size() > 200)
    throw Error(ErrorCode::kUnprocessable,
                "consent_document_ref: the consent form's reference (its number or scan id)");
  const std::string date =
      body.value("consent_date", json("")).is_string() ? body.value("consent_date", "") : "";
  const std::uint32_t d = date.size() == 10 ? encoding::compact_date(date) : 0;
  const auto now = hpd::Clock::now();
  const std::uint32_t today =
      encoding::compact_date(encoding::iso_utc(now + std::chrono::hours(9)));
  if (d == 0 || d > today)
    throw Error(ErrorCode::kUnprocessable,
                "consent_date: the day the consent was given, YYYY-MM-DD, not later than today");
  const std::chrono::year_month_day ymd{std::chrono::year(static_cast<int>(d / 10000)),
                                        std::chrono::month(d / 100 % 100),
                                        std::chrono::day(d % 100)};
  c.starts_at = std::chrono::sys_days(ymd) - std::chrono::hours(9);
  return c;
}

net::awaitable<Response> register_patient(FormServices& sv, Request& req) {
  const Caller caller = co_await offload(sv.uploads.workers, [&] {
    return admit(sv, req, kPatientsRoute, {"application/json"},
                 "a registration is JSON (Content-Type: application/json)");
  });
  json body = json::parse(req.body, nullptr, false);
  const std::string size = "bytes=" + std::to_string(req.body.size());
  std::optional<ConsentForm> consent;
  std::optional<Error> refused;  // no co_await in a handler: recorded after it
  std::string patient_id;
  try {
    if (!body.is_object())
      throw Error(ErrorCode::kBadRequest, "the body is a JSON object of the patient's details");
    consent = consent_of(body);
    patient_id = body.value("patient_id", json("")).is_string() ? body.value("patient_id", "") : "";
  } catch (const Error& e) {
    refused = e;
  }
  if (refused) {
    co_await offload(sv.uploads.workers, [&] {
      record(sv, req, caller, audit::Outcome::kFailure, "no_consent", size);
      return 0;
    });
    throw *refused;
  }
  for (const char* k : {"consent_obtained", "consent_document_ref", "consent_date"})
    body.erase(k);  // the gateway keeps the demographics only
  const auto answer =
      co_await forward(sv, caller, req, "/gw/v1/uploads/patients", "application/json", body.dump());
  const int status = answer.status;
  if (status < 200 || status >= 300) {
    co_await offload(sv.uploads.workers, [&] {
      record(sv, req, caller, outcome_of(status), "gateway_" + std::to_string(status),
             "gateway_status=" + std::to_string(status) + " " + size + " " +
                 upload_counts(answer.body));
      return 0;
    });
    co_return answer_of(status, answer.body);
  }
  // Stored (or unchanged) at the gateway: the consent and both records in one transaction.
  consent::NewConsent n{.patient = {hpd::patient_id_domain(caller.user.facility_oid), patient_id},
                        .person_id = std::nullopt,
                        .source_facility = caller.user.facility_oid,
                        .viewer_facility = std::nullopt,
                        .viewer_community = std::nullopt,
                        .scope = std::nullopt,
                        .starts_at = consent->starts_at,
                        .expires_at = std::nullopt,
                        .registered_by = caller.user.login_id,
                        .document_ref = consent->document_ref};
  struct Recorded {
    std::int64_t id = 0;
    bool already = false;  // the same consent form was recorded before (a form sent again)
  };
  const auto given = co_await offload(sv.uploads.workers, [&] {
    const auto now = hpd::Clock::now();
    return pg::transact(sv.pool, [&](pg::Tx& tx) {
      auto u = upload_event(req, caller);
      u.reason = "patient_registered";
      u.detail = "gateway_status=" + std::to_string(status) + " " + size + " " +
                 upload_counts(answer.body);
      u.patient_authority = n.patient.authority;
      u.patient_local_id = n.patient.local_id;
      audit::AuditLog::append_in(tx, u, now);
      const auto live = tx.exec(kLiveConsent, n.patient.authority, n.patient.local_id,
                                n.source_facility, n.document_ref);
      if (!live.empty())
        return Recorded{.id = live[0][0].as<std::int64_t>(), .already = true};
      auto k = consent::PgConsentStore::give_in(tx, n, now);
      auto c = upload_event(req, caller);
      c.type = audit::EventType::kConsentChange;
      c.category = "";
      c.reason = "consent_given";
      c.detail = "consent " + std::to_string(k.id) + " by the facility's web form";
      c.patient_authority = n.patient.authority;
      c.patient_local_id = n.patient.local_id;
      audit::AuditLog::append_in(tx, c, now);
      return Recorded{.id = k.id, .already = false};
    });
  });
  json out = json::parse(answer.body, nullptr, false);
  if (!out.is_object())
    out = json::object();
  out["consent"] = {{"id", given.id},
                    {"authority", n.patient.authority},
                    {"local_id", n.patient.local_id},
                    {"document_ref", n.document_ref},
                    {"start", encoding::iso_utc(n.starts_at)},
                    {"already_recorded", given.already}};
  co_return answer_of(status, out.dump());
}

net::awaitable<Response> attach_document(FormServices& sv, Request& req) {
  const Caller caller = co_await offload(sv.uploads.workers, [&] {
    return admit(sv, req, kDocumentsRoute, {"application/pdf", "image/jpeg", "image/png"},
                 "a document is a PDF, JPEG or PNG file (Content-Type application/pdf, "
                 "image/jpeg or image/png)");
  });
  std::string query;
  for (const char* k : {"patient_id", "title", "category", "date", "supersedes"}) {
    if (auto v = req.query_param(k); v && !v->empty())
      query += std::string(query.empty() ? "?" : "&") + k + "=" + http::percent_encode(*v);
  }
  const std::string size = "bytes=" + std::to_string(req.body.size());
  const std::string type = req.media_type();
  const auto answer = co_await forward(sv, caller, req, "/gw/v1/uploads/documents" + query, type,
                                       std::move(req.body));
  const int status = answer.status;
  co_await offload(sv.uploads.workers, [&] {
    auto e = upload_event(req, caller);
    e.outcome = outcome_of(status);
    e.reason =
        status >= 200 && status < 300 ? "document_attached" : "gateway_" + std::to_string(status);
    e.detail =
        "gateway_status=" + std::to_string(status) + " " + size + " " + upload_counts(answer.body);
    e.patient_authority = hpd::patient_id_domain(caller.user.facility_oid);
    e.patient_local_id = req.query_param("patient_id").value_or("");
    sv.uploads.web.audit.append(e, hpd::Clock::now());
    return 0;
  });
  co_return answer_of(status, answer.body);
}

}  // namespace

void add_form_routes(http::Router& web, FormServices& sv) {
  web.add("POST", kPatientsRoute,
          [&sv](Request& req) -> net::awaitable<Response> {
            co_return co_await register_patient(sv, req);
          },
          {.body_limit = 64u << 10,
           .summary = "a facility data manager registers a patient and the patient's consent (web "
                      "form)"});
  web.add("POST", kDocumentsRoute,
          [&sv](Request& req) -> net::awaitable<Response> {
            co_return co_await attach_document(sv, req);
          },
          {.body_limit = kDocumentLimit,
           .summary = "a facility data manager attaches a PDF or image to a registered patient"});
}

}  // namespace hareyaka::portal
