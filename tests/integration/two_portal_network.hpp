// An exchange network for the locator tests: two hospitals' gateways over generated SS-MIX2
// storages (some patients shared; hospital A with an extended storage), one or more portal
// processes on one private PostgreSQL database (gateway A publishes to portal 0, gateway B to
// the last portal), a clinic doctor and a pharmacist with consents for the shared patients.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/http_client.hpp"
#include "tests/support/daemon.hpp"
#include "tests/support/process.hpp"

namespace hareyaka::testing {

inline constexpr const char* kExA = "1.2.392.200284.33.1310001";
inline constexpr const char* kExB = "1.2.392.200284.33.1310002";
inline constexpr const char* kExClinic = "1.2.392.200284.33.2000001";
inline constexpr const char* kExPharmacy = "1.2.392.200284.33.3000001";

// A mutual-TLS client with a dev PKI node's certificate.
http::ClientSettings node_client(const std::string& node);

class ExchangeNetwork;

// A logged-in browser on one portal's web listener.
struct WebUser {
  ExchangeNetwork* net = nullptr;
  int portal = 0;
  std::string cookie, csrf;
  http::ClientResponse get(const std::string& path) const;
  // The same session on another portal process.
  WebUser on(int other_portal) const;
  int logout() const;  // DELETE /api/v1/session; the HTTP status
};

class ExchangeNetwork {
 public:
  explicit ExchangeNetwork(int portals);
  ~ExchangeNetwork();
  // Generates the storages, starts the portals and gateways, seeds the directory.
  void start();
  void start_portal(int i);
  std::string portal_nodes_url(int i) const;
  std::string portal_web_url(int i, const std::string& path) const;
  // The gateway's outbox is empty and it has compared its locators with the portal's since
  // it started.
  bool published(Daemon& gateway) const;
  WebUser login(int portal, const std::string& login_id);
  // A person with identities at both hospitals, as the user's person list shows it.
  std::string shared_person(const WebUser& user);

  // Set before start(): merged into every portal's configuration (e.g. its "xcpd" section),
  // and more consents for the shared patients ((A id, B id) pairs) in the seed.
  nlohmann::json portal_extra = nlohmann::json::object();
  std::function<nlohmann::json(const std::vector<std::pair<std::string, std::string>>&)>
      extra_consents;

  TempDir tmp;
  std::string db;
  std::string dir_a, dir_b;
  std::vector<int> nodes_ports;
  std::vector<std::unique_ptr<Daemon>> portals;
  std::unique_ptr<Daemon> gw_a, gw_b;

 private:
  nlohmann::json portal_config(int i) const;
  nlohmann::json gateway_config(const std::string& oid, const std::string& node,
                                const std::string& dir, int portal) const;
  void seed();
  std::vector<std::pair<std::string, std::string>> shared_;  // (A id, B id)
};

}  // namespace hareyaka::testing
