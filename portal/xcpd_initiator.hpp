// This network as an IHE XCPD Initiating Gateway: for a person a clinician has open, ask each
// peer community that has an endpoint (xcpd.peers[].url) whether it knows the patient (ITI-55,
// in parallel, within a deadline). Only the identities the user may see and whose consent
// names that peer community are described to it (default deny: no consent, no question).
// An answer is used only when the returned demographics agree with ours (birth date, kana or
// kanji family name); a correlation found is kept in memory for cache_ttl and asked again when
// our demographics change (other answers are never cached). A peer that is down or slow is named in the answer, never an error.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/http_client.hpp"
#include "common/router.hpp"
#include "pix/service.hpp"
#include "portal/config.hpp"
#include "portal/node_scope.hpp"
#include "portal/viewer/person_directory.hpp"
#include "portal/viewer/viewer_api.hpp"

namespace hareyaka::portal {

struct PeerDiscovery {
  std::string name;
  std::string home_community_id;
  // found, not_found, ambiguous (the peer asked for more attributes), mismatch (its patient's
  // demographics disagree with ours), not_consented (nothing asked), unavailable
  std::string status;
  std::string patient_id;  // found: the peer's community patient id, "root^extension"
  std::vector<std::string> requested_attributes;  // ambiguous
  bool cached = false;
};

class XcpdInitiator {
 public:
  XcpdInitiator(const XcpdConfig& config, const tls::ClientSettings& client_tls,
                const NodeScope& scope, pix::Service& ids);
  ~XcpdInitiator();

  bool enabled() const { return !peers_.empty(); }
  // One entry per peer with an endpoint, in configuration order. `shown` is the person as the
  // user may see it (demographics decided per identity).
  // before_asking(peer) runs before anything is sent to a peer (the audit record); when it
  // throws, nothing is sent.
  std::vector<PeerDiscovery> discover(
      const PersonView& shown, const std::function<void(const PeerCommunity&)>& before_asking);

 private:
  struct Peer;
  struct Cached {
    std::string demographics_key;  // what we sent; a change asks again
    PeerDiscovery answer;
    std::chrono::steady_clock::time_point until;
  };
  PeerDiscovery ask(const Peer& peer, const PersonView& consented);

  const XcpdConfig& config_;
  const NodeScope& scope_;
  pix::Service& ids_;
  std::vector<std::unique_ptr<Peer>> peers_;
  std::mutex mu_;
  std::map<std::pair<std::int64_t, std::string>, Cached> cache_;  // (person, community)
};

// GET /api/v1/persons/{person_id}/communities: the peers' answers for a person the user may
// see, each question audited (search, reason cross_community_discovery).
void add_xcpd_discovery_route(http::Router& web, ViewerServices& sv, XcpdInitiator& initiator);

}  // namespace hareyaka::portal
