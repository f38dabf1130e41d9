// The IHE HPD Provider Information Directory on the portal's node listener (mutual TLS):
// POST /hpd takes ITI-58 Provider Information Query and ITI-59 Provider Information Feed as
// DSMLv2 batchRequests in SOAP 1.2 envelopes (the action from wsa:Action or the Content-Type
// action parameter) and answers with the batchResponse. Any network node may query; only the
// nodes whose certificate fingerprints are configured (the secretariat's systems) may feed.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/router.hpp"
#include "hpd/hpd_service.hpp"

namespace hareyaka::portal {

inline constexpr std::string_view kHpdQueryAction = "urn:ihe:iti:2010:ProviderInformationQuery";
inline constexpr std::string_view kHpdQueryResponseAction =
    "urn:ihe:iti:2010:ProviderInformationQueryResponse";
inline constexpr std::string_view kHpdFeedAction = "urn:ihe:iti:2010:ProviderInformationFeed";
inline constexpr std::string_view kHpdFeedResponseAction =
    "urn:ihe:iti:2010:ProviderInformationFeedResponse";

// Called when a node that may not feed sends an ITI-59 feed (for the audit log).
using HpdFeedRefused = std::function<void(const hpd::HpdCaller&)>;

struct HpdRouteSettings {
  std::vector<std::string> feed_node_fingerprints;  // lower-case hex SHA-256 of node certs
  HpdFeedRefused on_feed_refused;
};

struct HpdSoapResult {
  int http_status = 200;
  std::string content_type;
  std::string body;
};

// The SOAP binding without HTTP, for tests: never throws. A malformed envelope, an unknown
// action or a payload that is not a DSML batchRequest is a SOAP fault; everything inside the
// batch is answered in DSML.
HpdSoapResult handle_hpd_soap(hpd::HpdService& service, std::string_view body,
                              std::string_view content_type, const hpd::HpdCaller& caller,
                              const HpdFeedRefused& on_feed_refused = {});

void add_hpd_routes(http::Router& nodes, hpd::HpdService& service, HpdRouteSettings settings);

}  // namespace hareyaka::portal
