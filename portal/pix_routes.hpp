// The identity manager on the portal's node listener (mutual TLS): /pix/v3 (ITI-44 feed,
// ITI-45 query) and /pdq/v3 (ITI-47), and the sender that delivers ITI-46 update
// notifications to the configured consumers until each acknowledges.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "common/http_client.hpp"
#include "common/router.hpp"
#include "pix/service.hpp"
#include "portal/audit/audit_log.hpp"
#include "portal/node_scope.hpp"

namespace hareyaka::portal {

// Which facility a calling node is: the facility whose registered gateway certificate has
// this SHA-256 fingerprint, if any.
using NodeFacilityLookup = std::function<std::optional<std::string>(const std::string& sha256)>;

// ITI-44 feeds are accepted only from a registered node, and only for its own facility's
// patient id domain (a gateway cannot publish under another facility's OID). Queries (ITI-45,
// ITI-47) answer within the calling node's scope (node_scope.hpp), each one audited.
void add_pix_routes(http::Router& nodes, pix::Service& service, std::string network_root,
                    const NodeScope& scope, audit::AuditLog& audit);

// The responding gateway of IHE XCPD on the node listener: /xcpd/v3 answers ITI-55 for the
// configured peer communities (by certificate fingerprint), within their consents, audited.
void add_xcpd_routes(http::Router& nodes, pix::Service& service, const XcpdConfig& xcpd,
                     const NodeScope& scope, audit::AuditLog& audit);

struct NotificationConsumer {
  std::string name;  // as stored in the outbox
  std::string url;   // https://consumer/pix/v3
};

// Drains the ITI-46 outbox: claims due rows (a lease, so several portals can run it), sends
// each as SOAP over mutual TLS, marks it delivered on AA/CA, otherwise schedules a retry.
class PixNotifier {
 public:
  PixNotifier(pix::IdentityStore& store, pix::Service& service,
              std::map<std::string, NotificationConsumer> consumers, http::ClientSettings client,
              std::chrono::milliseconds interval);
  ~PixNotifier();
  void start();
  void stop();
  // One pass; returns how many notifications were delivered.
  int run_once();

 private:
  pix::IdentityStore& store_;
  pix::Service& service_;
  std::map<std::string, NotificationConsumer> consumers_;
  http::BlockingHttpClient client_;
  std::chrono::milliseconds interval_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace hareyaka::portal
