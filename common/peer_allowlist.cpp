#include "common/peer_allowlist.hpp"

#include <algorithm>

#include "common/error.hpp"
#include "common/log.hpp"

namespace hareyaka::http {

bool PeerAllowlist::allows(const Request& req) const {
  const std::string fp = req.peer ? req.peer->sha256_fingerprint : "";
  return !fp.empty() &&
         std::find(fingerprints_.begin(), fingerprints_.end(), fp) != fingerprints_.end();
}

void PeerAllowlist::require(const Request& req) const {
  if (allows(req))
    return;
  log::warn("request refused to a certificate not on the allowlist",
            {.request_id = req.request_id,
             .component = "http",
             .peer = req.peer ? std::string_view(req.peer->subject) : std::string_view(),
             .detail = what_});
  throw Error(ErrorCode::kForbidden, "this node may not read " + what_);
}

}  // namespace hareyaka::http
