// The HPD directory for the secretariat in the admin console: the same DSMLv2 batches as the
// node listener's /hpd (ITI-58 searches, ITI-59 changes), carried in JSON so that the
// console's session and CSRF protection apply. The administrator may feed; every change is
// audited with the administrator as the actor (in the change's transaction, like ITI-59).
//
//   POST /api/v1/admin/hpd  {"transaction": "query" | "feed", "batch": "<batchRequest ...>"}
//   200 {"batch": "<batchResponse ...>"}; 400 for XML that is not a DSMLv2 batchRequest
#include "common/error.hpp"
#include "hpd/dsml/dsml.hpp"
#include "portal/admin/admin_routes.hpp"
#include "proto/xml/error_capture.hpp"

namespace hareyaka::admin {
namespace {

constexpr std::size_t kBatchLimit = 8 * 1024 * 1024;

http::Response batch(AdminServices& sv, const portal::Caller& c, const http::Request& req) {
  const json body = parse_object(req);
  const std::string transaction = req_string(body, "transaction");
  if (transaction != "query" && transaction != "feed")
    throw Error(ErrorCode::kUnprocessable, "transaction: query or feed");
  hpd::dsml::BatchRequest request;
  try {
    request = hpd::dsml::parse_batch_request(req_string(body, "batch"));
  } catch (const xml::XmlException& e) {
    throw Error(ErrorCode::kBadRequest,
                "batch: not well-formed XML (line " + std::to_string(e.error().line) + ")");
  } catch (const hpd::dsml::DsmlError& e) {
    throw Error(ErrorCode::kBadRequest, std::string("batch: ") + e.what());
  }
  const hpd::HpdCaller caller{.name = c.user.login_id,
                              .facility_oid = c.user.facility_oid,
                              .may_feed = true,
                              .kind = hpd::HpdCallerKind::kUser};
  auto response = sv.hpd->process(
      request, caller,
      transaction == "feed" ? hpd::HpdTransaction::kFeed : hpd::HpdTransaction::kQuery);
  audit_admin(sv, c, req, "hpd_" + transaction,
              std::to_string(request.requests.size()) + " request(s)");
  return json_response(200, {{"batch", hpd::dsml::write_batch_response(response)}});
}

}  // namespace

void add_hpd_admin_routes(http::Router& web, AdminServices& sv) {
  admin_route(web, sv, "POST", "/api/v1/admin/hpd", batch,
              "a DSMLv2 batch on the HPD directory (ITI-58 query / ITI-59 feed)", kBatchLimit);
}

}  // namespace hareyaka::admin
