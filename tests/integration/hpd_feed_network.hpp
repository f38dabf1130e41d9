// The network of the HPD feed tests (hpd_feed_test.cpp, hpd_feed_gateway_test.cpp,
// hpd_feed_rejected_test.cpp), built once per test binary: a private PostgreSQL database, one
// real portal (feed interval and backoff short, so an outage heals within the test) with its
// first administrator, and the second HPD directory the portal feeds (hpd_peer.*), registered
// as connected system `first_system()` by the first test of each binary.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "hpd/hpd_mapping.hpp"
#include "tests/integration/hpd_peer.hpp"
#include "tests/integration/trust_network.hpp"
#include "tests/support/daemon.hpp"
#include "tests/support/process.hpp"

namespace hareyaka::testing::feed {

using nlohmann::json;

constexpr const char* kSecretariat = "1.2.392.200284.33.9000001";
constexpr const char* kAdmin = "feed-admin";
constexpr const char* kTotp = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
constexpr const char* kPassword = "Hareyaka#Feed2026";

json listener(const std::string& node, const std::string& auth);
json client_tls(const std::string& node);

struct Network {
  TempDir tmp;
  json config;
  std::string db;
  std::unique_ptr<Daemon> portal;
  std::unique_ptr<Browser> admin;
  std::unique_ptr<HpdPeer> peer = std::make_unique<HpdPeer>();

  Network();
};

Network& net();
inline const hpd::DitSettings kDit{};
// "1.2.392.200284.33." + code
std::string oid(const std::string& code);
// A connected system's entry of GET /api/v1/admin/connected-systems.
json system_state(std::int64_t id);
// Through the admin API; the answer's body.
json add_facility(const std::string& code, const std::string& name);
void add_user(const std::string& login, const std::string& facility);

// The id of the connected system the first test registers (the peer).
std::int64_t& first_system();
// "/api/v1/admin/connected-systems/<id>" + tail
std::string system_path(std::int64_t id, const std::string& tail = "");
// Pauses delivery to the first system while `changes` run, then resumes it: what they
// queued goes out together.
void while_paused(const std::function<void()>& changes);

}  // namespace hareyaka::testing::feed
