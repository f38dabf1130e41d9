// This network as an IHE XCA Responding Gateway (POST /xca/v3 on the node listener): ITI-38
// Cross Gateway Query and ITI-39 Cross Gateway Retrieve for the peer communities configured in
// xcpd.peers, each recognised by its certificate. What a peer may see is the intersection of
// the agreement between the two networks (xcpd.peers[].categories) and each patient's consent
// for that community (a consent whose viewer is the community, at the disclosing facility).
//
// A patient is named by the community patient id XCPD gave the peer (the PIX person under
// xcpd.patient_id_authority). Each (disclosing facility, data category) the locator index
// says holds data is one On-Demand DocumentEntry, repository = the facility's OID; retrieving
// it asks the owning gateway now, with an access assertion naming the community, and returns
// the category's items as JSON (MTOM/XOP). An unknown patient and one whose consent does not
// reach the asking community look the same (XDSUnknownPatientId / XDSDocumentUniqueIdError).
// Every query and every retrieved or refused document is audited.
#pragma once

#include <chrono>
#include <functional>

#include "common/assertion.hpp"
#include "common/http_client.hpp"
#include "common/pg.hpp"
#include "common/router.hpp"
#include "hpd/directory_store.hpp"
#include "portal/audit/audit_log.hpp"
#include "portal/config.hpp"
#include "portal/disaster/declarations.hpp"
#include "portal/locators/locator_store.hpp"

namespace boost::asio {
class thread_pool;
}

namespace hareyaka::portal {

struct XcaServices {
  const XcpdConfig& xcpd;
  std::string network_root;
  pg::Pool& pool;
  hpd::DirectoryStore& directory;
  LocatorStore& locators;
  const AssertionSigner& signer;
  http::HttpClient& gateways;
  boost::asio::thread_pool& workers;
  audit::AuditLog& audit;
  std::chrono::milliseconds gateway_deadline{3000};
  std::chrono::seconds assertion_lifetime{60};
  // The disaster declarations in force (portal/disaster): a facility's documents are then
  // retrieved from its standby, as the viewer's are. Empty: none.
  std::function<disaster::StandbyMap(hpd::TimePoint)> standbys;
};

// The configured peer whose certificate presented the request; nullptr for anyone else.
const PeerCommunity* peer_of(const XcpdConfig& xcpd, const http::Request& req);

void add_xca_routes(http::Router& nodes, XcaServices& services);

}  // namespace hareyaka::portal
