// Hosted disclosure (#17): a facility without an EMR discloses through a hosted gateway, and
// its facility data manager (施設データ管理者, hpd::Profession::kDataManager) uploads the
// facility's SS-MIX2 exports through the portal. POST /api/v1/uploads/ssmix2 (web listener,
// session and CSRF) takes a zip archive and forwards it to the data manager's own facility's
// gateway (its directory gateway_url + /gw/v1/uploads/ssmix2) over the portal's node client,
// with an access assertion of category and purpose "upload" for that facility; the gateway's
// status and body come back to the browser unchanged. Every attempt is on record (event
// "upload": the facility, the outcome, the gateway's status and counts; never the contents).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "common/assertion.hpp"
#include "common/http_client.hpp"
#include "common/router.hpp"
#include "portal/audit/audit_log.hpp"
#include "portal/web_session.hpp"

namespace boost::asio {
class thread_pool;
}

namespace hareyaka::portal {

inline constexpr std::size_t kUploadBodyLimit = 256u * 1024 * 1024;  // 256 MiB
inline constexpr const char* kGatewayUploadPath = "/gw/v1/uploads/ssmix2";

struct UploadServices {
  WebServices& web;
  const AssertionSigner& signer;
  http::HttpClient& gateways;  // the viewer's node client (mutual TLS)
  boost::asio::thread_pool& workers;
  std::chrono::milliseconds timeout{120'000};  // one forwarded upload, end to end
  std::chrono::seconds assertion_lifetime{60};
};

void add_upload_routes(http::Router& web, UploadServices& services);

// "stored=3 files=4 files.rejected=1 files.stored=3 upload_id=..." from a gateway's upload answer
// (its JSON body:
// {"upload_id","stored","files":[{"path","status","reason"}]}); "" when it is not that shape.
// Never a file name or anything else of the contents.
std::string upload_counts(const std::string& gateway_body);

// Shared with the web form's routes (form_routes.cpp): the audit event of an attempt by
// `caller` (type upload, outcome success until set); the access assertion of category and purpose
// "upload" for the caller's facility.
audit::AuditEvent upload_event(const http::Request& req, const std::optional<Caller>& caller);
std::string upload_assertion(const UploadServices& sv, const Caller& c, const http::Request& req);

}  // namespace hareyaka::portal
