#include "portal/uploads/upload_routes.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "common/error.hpp"
#include "common/log.hpp"
#include "portal/viewer/viewer_access.hpp"

namespace hareyaka::portal {
namespace {

namespace net = boost::asio;
using http::Request;
using http::Response;
using nlohmann::json;

constexpr const char* kZip = "application/zip";

// What a data manager may send to the facility's gateway: an SS-MIX2 zip, a pharmacy's お薬手帳
// file for one patient, a withdrawal; or read back: the facility's disclosed patients.
struct UploadKind {
  const char* route;                          // the portal's
  const char* gateway_path;                   // the facility gateway's
  std::vector<std::string> media_types;       // empty: no body (a GET)
  const char* wrong_type;                     // the message for another Content-Type
  bool needs_patient;                         // ?patient_id= is required and forwarded
  const char* done_reason = "ssmix2_upload";  // the audit's reason when the gateway agreed
  const char* method = "POST";
  std::vector<const char*> query = {};  // query parameters passed on as they are
  bool id_in_path = false;              // the route's {id} is appended to gateway_path
};

const UploadKind kSsmix2{"/api/v1/uploads/ssmix2",
                         kGatewayUploadPath,
                         {kZip},
                         "an upload is one SS-MIX2 zip archive (Content-Type: application/zip)",
                         false};
const UploadKind kJahis{
    "/api/v1/uploads/jahis",
    "/gw/v1/uploads/jahis",
    {"text/csv", "application/octet-stream"},
    "a dispensing record is one JAHIS 電子版お薬手帳 file (Content-Type: text/csv)",
    true,
    "jahis_upload"};
// The tenant page (施設の公開データ): what the facility disclosed, and a record's withdrawal.
const UploadKind kPatients{
    "/api/v1/uploads/patients", "/gw/v1/uploads/patients", {}, "", false, "disclosed_list", "GET",
    {"after", "limit"}};
const UploadKind kPatient{"/api/v1/uploads/patients/{id}",
                          "/gw/v1/uploads/patients",
                          {},
                          "",
                          false,
                          "disclosed_patient",
                          "GET",
                          {},
                          true};
const UploadKind kWithdraw{"/api/v1/uploads/withdraw",
                           "/gw/v1/uploads/withdraw",
                           {"application/json"},
                           "a withdrawal is a JSON object (Content-Type: application/json)",
                           false,
                           "withdrawal"};

const UploadKind kFhir{
    "/api/v1/uploads/fhir",
    "/gw/v1/uploads/fhir",
    {"application/fhir+json", "application/json"},
    "a FHIR upload is one JSON resource or Bundle (Content-Type: application/fhir+json)",
    true,
    "fhir_upload"};

// A token from the gateway's answer, kept only when it is plainly an identifier or a status
// word (nothing of a file's name or contents reaches the audit record).
std::string token_of(const json& v, std::size_t max) {
  if (!v.is_string())
    return "";
  const auto& s = v.get_ref<const std::string&>();
  const bool plain = !s.empty() && s.size() <= max && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
  return plain ? s : "";
}

// One attempt's record: who, for which facility, how it ended.
struct Attempt {
  std::optional<Caller> caller;
  audit::Outcome outcome = audit::Outcome::kSuccess;
  std::string reason;
  std::string detail;
};

void record(UploadServices& sv, const Request& req, const Attempt& a) {
  audit::AuditEvent e = upload_event(req, a.caller);
  e.outcome = a.outcome;
  e.reason = a.reason;
  e.detail = a.detail;
  sv.web.audit.append(e, hpd::Clock::now());
}

// The session's caller, who must be a data manager whose facility has a gateway, and a zip
// body: every refusal is on record before it is thrown.
Caller admit(UploadServices& sv, const Request& req, const UploadKind& kind) {
  Attempt a{.outcome = audit::Outcome::kDenied};
  try {
    a.caller = require_caller(sv.web, req);
  } catch (const Error& e) {
    a.reason = e.code() == ErrorCode::kForbidden ? "csrf" : "unauthorized";
    a.detail =
        std::string(kind.method) + " " + kind.route + " bytes=" + std::to_string(req.body.size());
    record(sv, req, a);
    throw;
  }
  const Caller& c = *a.caller;
  auto refuse = [&](const char* reason, audit::Outcome outcome, ErrorCode code,
                    const std::string& message) {
    a.outcome = outcome;
    a.reason = reason;
    a.detail = "bytes=" + std::to_string(req.body.size());
    record(sv, req, a);
    throw Error(code, message);
  };
  if (c.user.profession != hpd::Profession::kDataManager) {
    refuse("not_data_manager", audit::Outcome::kDenied, ErrorCode::kForbidden,
           "uploads need the facility data manager role (施設データ管理者)");
  }
  const bool has_body = !kind.media_types.empty();
  if (has_body && std::find(kind.media_types.begin(), kind.media_types.end(), req.media_type()) ==
                      kind.media_types.end()) {
    refuse("unsupported_media_type", audit::Outcome::kFailure, ErrorCode::kUnsupportedMediaType,
           kind.wrong_type);
  }
  if (kind.needs_patient && req.query_param("patient_id").value_or("").empty()) {
    refuse("no_patient", audit::Outcome::kFailure, ErrorCode::kBadRequest,
           &kind == &kFhir ? "patient_id: the facility's id for the patient the resources belong to"
                           : "patient_id: the pharmacy's id for the patient the records belong to");
  }
  if (has_body && req.body.empty()) {
    refuse("empty_body", audit::Outcome::kFailure, ErrorCode::kBadRequest,
           "the upload is empty: send the SS-MIX2 zip archive as the body");
  }
  if (c.facility.gateway_url.empty()) {
    refuse("no_gateway", audit::Outcome::kFailure, ErrorCode::kConflict,
           "your facility has no gateway registered in the directory, so nothing can be "
           "uploaded yet; ask the secretariat to register its hosted gateway");
  }
  return c;
}

net::awaitable<Response> upload(UploadServices& sv, Request& req, const UploadKind& kind) {
  const Caller caller = co_await offload(sv.workers, [&] { return admit(sv, req, kind); });
  const std::size_t bytes = req.body.size();
  std::string url = caller.facility.gateway_url + kind.gateway_path;
  if (kind.id_in_path)
    url += "/" + http::percent_encode(req.param("id"));
  std::vector<const char*> query = kind.query;
  if (kind.needs_patient)
    query.push_back("patient_id");
  char sep = '?';
  for (const char* name : query) {
    if (auto v = req.query_param(name)) {
      url += sep + std::string(name) + "=" + http::percent_encode(*v);
      sep = '&';
    }
  }
  http::ClientRequest up{.method = kind.method, .url = url, .timeout = sv.timeout};
  up.headers[kAssertionHeader] = upload_assertion(sv, caller, req);
  if (!kind.media_types.empty()) {
    up.headers["Content-Type"] = req.header("Content-Type").value_or(kZip);
    up.body = std::move(req.body);
  }
  up.headers["X-Request-Id"] = req.request_id;

  Attempt a{.caller = caller};
  std::optional<http::ClientResponse> answer;
  std::optional<ErrorCode> failed;
  try {
    answer = co_await sv.gateways.request(std::move(up));
  } catch (const Error& e) {
    failed = e.code() == ErrorCode::kTimeout ? ErrorCode::kTimeout : ErrorCode::kUnavailable;
    log::warn("upload to the facility gateway failed", {.request_id = req.request_id,
                                                        .component = "uploads",
                                                        .facility = caller.facility.oid,
                                                        .detail = e.internal()});
  }
  const std::string size = "bytes=" + std::to_string(bytes);
  if (failed) {
    a.outcome = audit::Outcome::kFailure;
    a.reason = *failed == ErrorCode::kTimeout ? "gateway_timeout" : "gateway_unreachable";
    a.detail = size;
    co_await offload(sv.workers, [&] {
      record(sv, req, a);
      return 0;
    });
    if (*failed == ErrorCode::kTimeout) {
      throw Error(ErrorCode::kTimeout,
                  "your facility's gateway did not answer in time; the upload may not have "
                  "been stored, try again later");
    }
    throw Error(ErrorCode::kUnavailable,
                "your facility's gateway cannot be reached; nothing was uploaded, try again "
                "later or tell the secretariat");
  }
  const int status = answer->status;
  a.outcome = status >= 200 && status < 300    ? audit::Outcome::kSuccess
              : status == 401 || status == 403 ? audit::Outcome::kDenied
                                               : audit::Outcome::kFailure;
  if (status >= 200 && status < 300)
    a.reason = kind.done_reason;
  else
    a.reason = "gateway_" + std::to_string(status);
  a.detail = "gateway_status=" + std::to_string(status) + " " + size;
  if (const std::string counts = upload_counts(answer->body); !counts.empty())
    a.detail += " " + counts;
  co_await offload(sv.workers, [&] {
    record(sv, req, a);
    return 0;
  });
  // The gateway's answer as it is: its status and its body.
  Response out;
  out.status = status;
  auto type = answer->headers.find("Content-Type");
  out.headers["Content-Type"] =
      type != answer->headers.end() ? type->second : std::string("application/json");
  out.body = std::move(answer->body);
  co_return out;
}

}  // namespace

audit::AuditEvent upload_event(const Request& req, const std::optional<Caller>& caller) {
  audit::AuditEvent e{.type = audit::EventType::kUpload,
                      .outcome = audit::Outcome::kSuccess,
                      .category = "upload",
                      .request_id = req.request_id};
  if (caller) {
    e.actor_user = caller->user.login_id;
    e.actor_profession = std::string(hpd::to_string(caller->user.profession));
    e.actor_facility = caller->user.facility_oid;
    e.source_facility = caller->user.facility_oid;
  }
  return e;
}

std::string upload_assertion(const UploadServices& sv, const Caller& c, const Request& req) {
  const auto now = unix_now();
  const AccessAssertion a{.user = c.user.login_id,
                          .profession = std::string(hpd::to_string(c.user.profession)),
                          .facility_oid = c.user.facility_oid,
                          .audience = c.user.facility_oid,
                          .authority = "",
                          .local_id = "",
                          .category = "upload",
                          .purpose = "upload",
                          .request_id = req.request_id,
                          .issued_at = now,
                          .expires_at = now + sv.assertion_lifetime.count()};
  return sv.signer.sign(a);
}

std::string upload_counts(const std::string& gateway_body) {
  json parsed;
  try {
    parsed = json::parse(gateway_body);
  } catch (const json::exception&) {
    return "";
  }
  if (!parsed.is_object())
    return "";
  std::string out;
  if (auto it = parsed.find("stored"); it != parsed.end() && it->is_number_integer())
    out += "stored=" + std::to_string(it->get<long long>());
  const auto files = parsed.find("files");
  if (files != parsed.end() && files->is_array()) {
    std::map<std::string, int> by_status;
    for (const auto& f : *files) {
      const std::string s = f.is_object() ? token_of(f.value("status", json()), 32) : "";
      ++by_status[s.empty() ? "other" : s];
    }
    out += (out.empty() ? "" : " ") + std::string("files=") + std::to_string(files->size());
    for (const auto& [s, n] : by_status)
      out += " files." + s + "=" + std::to_string(n);
  }
  if (auto it = parsed.find("upload_id"); it != parsed.end()) {
    if (const std::string id = token_of(*it, 64); !id.empty())
      out += (out.empty() ? "" : " ") + std::string("upload_id=") + id;
  }
  return out;
}

void add_upload_routes(http::Router& web, UploadServices& sv) {
  web.add(
      "POST", kSsmix2.route,
      [&sv](Request& req) -> net::awaitable<Response> {
        co_return co_await upload(sv, req, kSsmix2);
      },
      {.body_limit = kUploadBodyLimit,
       .summary = "a facility data manager's SS-MIX2 zip, forwarded to the facility's gateway"});
  web.add("POST", kJahis.route,
          [&sv](Request& req) -> net::awaitable<Response> {
            co_return co_await upload(sv, req, kJahis);
          },
          {.body_limit = 8u << 20,
           .summary = "a pharmacy data manager's お薬手帳 file for one patient, forwarded to its "
                      "gateway"});
  for (const UploadKind* kind : {&kPatients, &kPatient, &kWithdraw}) {
    web.add(kind->method, kind->route,
            [&sv, kind](Request& req) -> net::awaitable<Response> {
              co_return co_await upload(sv, req, *kind);
            },
            {.body_limit = kind->media_types.empty() ? 0u : 4096u,
             .summary = kind == &kWithdraw  ? "withdraw one of the facility's disclosed records"
                        : kind == &kPatient ? "one of the facility's disclosed patients and records"
                                            : "the facility's disclosed patients (data manager)"});
  }
  web.add("POST", kFhir.route,
          [&sv](Request& req) -> net::awaitable<Response> {
            co_return co_await upload(sv, req, kFhir);
          },
          {.body_limit = 16u << 20,
           .summary = "a data manager's FHIR resources or JP-CLINS document for one patient, "
                      "forwarded to the facility's gateway"});
}

}  // namespace hareyaka::portal
