// This network as an IHE XCA Initiating Gateway: a clinician's category view of a person also
// shows what a peer network holds of them. The peer's patient id comes from XCPD (ITI-55,
// cached correlations re-checked against the demographics, portal/xcpd_initiator.hpp); ITI-38
// FindDocuments asks for the patient's On-Demand entries, ITI-39 retrieves those of the
// category, each within xcpd.deadline. The user's own role policy is applied here before
// anything is asked (a pharmacist asks for no lab results); the peer applies its agreement
// and the patient's consents. A peer that is down, slow or refuses is named, never an error.
#pragma once

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/http_client.hpp"
#include "common/pg.hpp"
#include "common/router.hpp"
#include "portal/config.hpp"
#include "portal/viewer/viewer_api.hpp"
#include "portal/xcpd_initiator.hpp"

namespace hareyaka::portal {

struct PeerRecords {
  std::string name;
  std::string home_community_id;
  // ok, not_found (the peer does not know the patient, or XCPD could not say: see discovery),
  // unavailable (down, slow, or a fault), refused (a Failure with RegistryErrors)
  std::string status;
  nlohmann::json items = nlohmann::json::array();  // each labelled with network and facility
  std::vector<std::string> errors;                 // the peer's RegistryError codes
};

class XcaInitiator {
 public:
  XcaInitiator(const XcpdConfig& config, const tls::ClientSettings& client_tls);
  ~XcaInitiator();
  // The peers with an XCA endpoint.
  const PeerCommunity* peer(const std::string& home_community_id) const;
  // The category's records at the peer for its community patient id ("root^extension").
  PeerRecords category(const PeerCommunity& peer, const std::string& patient_id,
                       const std::string& category);

 private:
  struct Peer;
  const XcpdConfig& config_;
  std::vector<std::unique_ptr<Peer>> peers_;
};

// GET /api/v1/persons/{person_id}/communities/{community}/{category}: the category's records
// held in a peer network, for a person the user may see, each question audited (view, reason
// cross_community_view).
void add_xca_records_route(http::Router& web, ViewerServices& sv, XcpdInitiator& xcpd,
                           XcaInitiator& xca, pg::Pool& pool);

}  // namespace hareyaka::portal
