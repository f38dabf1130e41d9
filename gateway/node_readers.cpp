#include "gateway/node_readers.hpp"

#include <algorithm>

#include "common/error.hpp"
#include "common/log.hpp"

namespace hareyaka::gateway {

void NodeReaders::require(const http::Request& req) const {
  const std::string fp = req.peer ? req.peer->sha256_fingerprint : "";
  if (!fp.empty() &&
      std::find(fingerprints_.begin(), fingerprints_.end(), fp) != fingerprints_.end())
    return;
  log::warn("node endpoint refused to a certificate not in node_readers",
            {.request_id = req.request_id,
             .component = "gateway",
             .peer = req.peer ? std::string_view(req.peer->subject) : std::string_view()});
  throw Error(ErrorCode::kForbidden, "this node may not read the gateway's status");
}

}  // namespace hareyaka::gateway
