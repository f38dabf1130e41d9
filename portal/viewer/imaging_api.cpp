#include "portal/viewer/imaging_api.hpp"

#include <algorithm>
#include <boost/asio/use_awaitable.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include "common/attachment.hpp"
#include "common/error.hpp"
#include "portal/viewer/viewer_access.hpp"

namespace hareyaka::portal {
namespace {

namespace net = boost::asio;
using http::Request;
using http::Response;

// Rendering or a retrieve from the hospital PACS can take longer than a category query.
constexpr std::chrono::milliseconds kMinImagingDeadline{30'000};
constexpr std::size_t kMaxErrorBody = 64 * 1024;
constexpr std::string_view kCategory = "imaging";

struct Target {
  std::string url;  // the gateway URL, query included
  std::string assertion;
  std::string peer_sha256;      // a disaster standby's pin
  std::string preserved_as_of;  // set when it is the standby's (a preserved copy)
};

// A DICOM UID: digits and dots, at most 64 characters.
bool is_uid(std::string_view s) {
  return !s.empty() && s.size() <= 64 &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

// What in the browser's request names the resource: the study UID when present, for the
// audit record (UIDs carry no patient data). Anything else as studyUID is a 400 naming it
// (it would have gone into the audit record: not UTF-8, a 500 after the decision).
std::string resource_detail(const Request& req, const std::string& upstream_path) {
  std::string detail = upstream_path.substr(0, upstream_path.find('?'));
  if (auto s = req.query_param("studyUID")) {
    if (!is_uid(*s))
      throw Error(ErrorCode::kBadRequest, "invalid parameter 'studyUID': a DICOM UID is expected");
    detail += " study=" + *s;
  }
  return detail.substr(0, 300);
}

// Session (or a FHIR app's bearer token), visibility, decide() and audit; the gateway URL and
// assertion when allowed.
// upstream_path: the gateway path and query ("/gw/v1/wado?...").
Target plan(ViewerServices& sv, const Request& req, const std::string& upstream_path) {
  const bool bearer =
      sv.bearer_caller && req.header("Authorization").value_or("").rfind("Bearer ", 0) == 0;
  Caller caller = bearer ? sv.bearer_caller(req) : require_caller(sv.web, req);
  const std::string detail = resource_detail(req, upstream_path);
  const auto now = hpd::Clock::now();
  const std::string& facility_oid = req.param("facility_oid");
  auto person = sv.persons.visible_person(caller.user.facility_oid, person_id_of(req), now);
  const PersonIdentity* identity = nullptr;
  if (person) {
    for (const auto& i : person->identities) {
      if (i.facility_oid == facility_oid)
        identity = &i;
    }
  }
  if (!identity) {
    audit::AuditEvent e{.type = audit::EventType::kView,
                        .outcome = audit::Outcome::kDenied,
                        .actor_user = caller.user.login_id,
                        .actor_profession = std::string(hpd::to_string(caller.user.profession)),
                        .actor_facility = caller.user.facility_oid,
                        .person_id = req.param("person_id"),
                        // Only an OID goes on record (other bytes may not even be text).
                        .source_facility = is_uid(facility_oid) ? facility_oid : "",
                        .category = std::string(kCategory),
                        .reason = std::string(consent::to_string(consent::DenyReason::kNoConsent)),
                        .request_id = req.request_id};
    sv.web.audit.append(e, now);
    throw Error(ErrorCode::kNotFound, "no such person at this facility");
  }
  auto d = sv.decider.decide(user_context(caller), {identity->authority, identity->local_id},
                             facility_oid, consent::Category::kImaging, now);
  // Its own gateway, or its standby while a disaster declaration is in force.
  auto facility = sv.web.directory.find_facility(facility_oid);
  const disaster::Endpoint endpoint =
      facility ? disaster::endpoint_of(*facility, standbys_at(sv, now)) : disaster::Endpoint{};
  audit_view(sv.web, caller, *person, *identity, kCategory,
             d.allowed ? audit::Outcome::kSuccess : audit::Outcome::kDenied,
             d.allowed ? "" : std::string(consent::to_string(d.reason)), req.request_id,
             d.allowed && endpoint.standby
                 ? detail + " " + disaster::preserved_detail(*endpoint.standby)
                 : detail);
  if (!d.allowed)
    throw Error(ErrorCode::kForbidden, d.text.empty() ? "not permitted" : d.text);
  if (endpoint.url.empty())
    throw Error(ErrorCode::kNotFound, "this facility has no gateway");
  AccessAssertion a{.user = caller.user.login_id,
                    .profession = std::string(hpd::to_string(caller.user.profession)),
                    .facility_oid = caller.user.facility_oid,
                    .audience = facility_oid,
                    .authority = identity->authority,
                    .local_id = identity->local_id,
                    .category = std::string(kCategory),
                    .request_id = req.request_id,
                    .issued_at = unix_now(),
                    .expires_at = unix_now() + sv.assertion_lifetime.count()};
  return {endpoint.url + upstream_path, sv.signer.sign(a), endpoint.cert_sha256,
          endpoint.standby ? disaster::preserved_json(*endpoint.standby)["as_of"].get<std::string>()
                           : ""};
}

// The part of the browser's raw target from `marker` on ("/dicomweb/studies/1.2?x"). The
// path parameters are UIDs and frame numbers only: nothing else is ever passed to a gateway
// (no "..", no escapes).
std::string tail_from(const Request& req, std::string_view marker) {
  for (const auto& [name, value] : req.params) {
    if (name == "person_id" || name == "facility_oid")
      continue;
    const bool ok = !value.empty() && value.size() <= 64 * 8 &&
                    value.find("..") == std::string::npos && value.front() != '.' &&
                    std::all_of(value.begin(), value.end(), [](char c) {
                      return (c >= '0' && c <= '9') || c == '.' || c == ',';
                    });
    if (!ok)
      throw Error(ErrorCode::kBadRequest, name + " must be a DICOM UID or a frame number");
  }
  const auto at = req.target.find(marker);
  if (at == std::string::npos)
    throw Error(ErrorCode::kNotFound, "no such resource");
  std::string tail = req.target.substr(at);
  if (tail.substr(0, tail.find('?')).find('%') != std::string::npos)
    throw Error(ErrorCode::kBadRequest, "escaped characters are not allowed in DICOM paths");
  return tail;
}

net::awaitable<Response> proxy(ViewerServices& sv, Request& req, std::string upstream_path) {
  Target t = co_await offload(sv.workers, [&] { return plan(sv, req, upstream_path); });
  http::ClientRequest up{.url = t.url,
                         .timeout = std::max(sv.gateway_deadline, kMinImagingDeadline)};
  up.peer_sha256 = t.peer_sha256;
  up.headers[kAssertionHeader] = t.assertion;
  up.headers["X-Request-Id"] = req.request_id;
  if (auto accept = req.header("Accept"))
    up.headers["Accept"] = *accept;
  auto res = co_await sv.gateways.stream(std::move(up));
  if (res.status == 401 || res.status == 403) {
    // The portal's decision allowed it; the gateway did not (e.g. a study of another
    // patient under this person's identity): never pass on a body we did not check.
    throw Error(ErrorCode::kForbidden, "the facility refused this study",
                "gateway answered " + std::to_string(res.status));
  }
  Response out;
  out.status = res.status;
  for (const char* h : {"Content-Type", "Content-Disposition"}) {
    if (auto it = res.headers.find(h); it != res.headers.end())
      out.headers[h] = it->second;
  }
  out.headers["Cache-Control"] = "private, no-store";
  if (!t.preserved_as_of.empty())
    out.headers["X-Hareyaka-Preserved-As-Of"] = t.preserved_as_of;
  if (res.status == 200) {
    // DICOM objects and renderings are stored content too: a download when opened directly
    // (an <img> or a fetch is not affected), never a document in the portal's origin.
    http::serve_as_attachment(out, http::disposition_file_name(out.headers["Content-Disposition"]));
  }
  if (res.status != 200) {
    // A clear error from the gateway (unknown study, "cannot render this transfer syntax",
    // a bad parameter): small, passed on whole.
    std::string body;
    while (auto chunk = co_await res.next()) {
      body += *chunk;
      if (body.size() > kMaxErrorBody)
        throw Error(ErrorCode::kUnavailable, "the facility's answer was not understood");
    }
    out.body = std::move(body);
    co_return out;
  }
  out.body = res.next;
  co_return out;
}

}  // namespace

void add_imaging_routes(http::Router& web, ViewerServices& sv) {
  const std::string base = "/api/v1/persons/{person_id}/imaging/{facility_oid}";
  const http::RouteOptions opts{.body_limit = 0, .summary = "DICOM from a facility's gateway"};
  web.add("GET", base + "/wado",
          [&sv](Request& req) -> net::awaitable<Response> {
            // Built before the co_await: GCC 12 mishandles temporaries of a conditional
            // expression inside a co_await (they are destroyed twice).
            const auto q = req.target.find('?');
            std::string path = "/gw/v1/wado";
            if (q != std::string::npos)
              path += req.target.substr(q);
            co_return co_await proxy(sv, req, std::move(path));
          },
          {.body_limit = 0, .summary = "WADO-URI, proxied to the facility's gateway"});
  auto dicomweb = [&sv](Request& req) -> net::awaitable<Response> {
    std::string path = "/gw/v1" + tail_from(req, "/dicomweb/");
    co_return co_await proxy(sv, req, std::move(path));
  };
  const std::string dw = base + "/dicomweb";
  for (const std::string p :
       {"/studies", "/studies/{study}", "/studies/{study}/metadata", "/studies/{study}/series",
        "/studies/{study}/instances", "/studies/{study}/series/{series}",
        "/studies/{study}/series/{series}/metadata", "/studies/{study}/series/{series}/instances",
        "/studies/{study}/series/{series}/instances/{sop}",
        "/studies/{study}/series/{series}/instances/{sop}/metadata",
        "/studies/{study}/series/{series}/instances/{sop}/frames/{frames}",
        "/studies/{study}/series/{series}/instances/{sop}/rendered",
        "/studies/{study}/series/{series}/instances/{sop}/frames/{frame}/rendered"}) {
    web.add("GET", dw + p, dicomweb, opts);
  }
}

}  // namespace hareyaka::portal
