// Calls several gateways at once and waits for all of them, each bounded by the same
// deadline: a slow or dead gateway becomes a "missing" entry naming the facility and why,
// never an error for the whole request and never a wait past the deadline.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/http_client.hpp"

namespace hareyaka::portal {

struct GatewayCall {
  std::string facility_oid;
  std::string facility_name;
  std::string url;
  std::string assertion;
  std::string peer_sha256;                  // the standby's pin; "" for a facility's gateway
  std::optional<nlohmann::json> preserved;  // set for a standby: {"as_of", "declaration"}
};

struct GatewayAnswer {
  const GatewayCall* call = nullptr;
  std::optional<nlohmann::json> body;  // set on a 200 with a JSON body
  std::string failure;                 // "timeout", "down", "refused", "error" otherwise
};

boost::asio::awaitable<std::vector<GatewayAnswer>> call_gateways(
    http::HttpClient& client, const std::vector<GatewayCall>& calls,
    std::chrono::milliseconds deadline, const std::string& request_id);

}  // namespace hareyaka::portal
