// What a network node may learn from the identity manager (ITI-45 on /pix/v3, ITI-47 on
// /pdq/v3). A gateway sees its own facility's identities and, of those patients, the
// cross-references to facilities whose consent lets its facility see that patient; nothing of
// patients its facility does not hold. A node that needs more (a registry tool of the
// secretariat) is a configured exception (pix.registry_wide_nodes), named in every audit
// record of its queries. Any other certificate of the network sees nothing.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/http_types.hpp"
#include "common/pg.hpp"
#include "pix/service.hpp"
#include "portal/config.hpp"

namespace hareyaka::portal {

struct NodeCaller {
  std::string name;          // "gateway:<facility oid>", "node:<exception name>" or "unregistered"
  std::string facility_oid;  // the active facility whose gateway certificate it presented
  std::optional<RegistryWideNode> exception;
};

class NodeScope {
 public:
  NodeScope(pg::Pool& pool, std::vector<RegistryWideNode> exceptions)
      : pool_(pool), exceptions_(std::move(exceptions)) {}

  // The active facility whose registered gateway certificate has this SHA-256, if any.
  std::optional<std::string> facility_of(const std::string& sha256) const;
  // Who presented this request's TLS client certificate.
  NodeCaller caller(const http::Request& req) const;
  // What it may see; an empty filter for a certificate that is neither (default deny).
  pix::IdentityFilter filter(const NodeCaller& caller) const;
  // What a peer community (XCPD) may see: the identities whose consent names the community
  // and covers demographics; nothing else (default deny across the border).
  pix::IdentityFilter community_filter(std::string home_community_id) const;

 private:
  pg::Pool& pool_;
  std::vector<RegistryWideNode> exceptions_;
};

}  // namespace hareyaka::portal
