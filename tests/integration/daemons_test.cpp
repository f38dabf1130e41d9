// The daemons as an operator runs them: real binaries, real PostgreSQL, TLS on loopback.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "common/http_client.hpp"
#include "tests/common/raw_tls.hpp"
#include "tests/support/daemon.hpp"
#include "tests/support/dev_pki.hpp"
#include "tests/support/pg_cluster.hpp"

namespace hareyaka {
namespace {

using nlohmann::json;
using testing::dev_pki;

json listener(const std::string& node, const std::string& client_auth) {
  json l{{"address", "127.0.0.1"},
         {"port", 0},
         {"cert_file", dev_pki().cert(node)},
         {"key_file", dev_pki().key(node)},
         {"client_auth", client_auth}};
  if (client_auth != "none")
    l["client_ca_file"] = dev_pki().ca();
  return l;
}

json portal_config(const std::string& conninfo) {
  return {{"log", {{"format", "json"}}},
          {"runtime", {{"io_threads", 2}, {"worker_threads", 4}}},
          {"assertion_signing_key", dev_pki().dir + "/assertion.key"},
          {"metrics_readers", {testing::cert_fingerprint(dev_pki().cert("client"))}},
          {"database", {{"conninfo", {{"env", "HAREYAKA_TEST_DB"}}}, {"pool_size", 4}}},
          {"listeners",
           {{"web", listener("portal", "none")}, {"nodes", listener("portal", "require")}}}};
}

json gateway_config(const std::string& storage, const std::string& state) {
  return {{"facility_oid", "1.2.392.200284.33.1310001"},
          {"assertion_public_key", dev_pki().dir + "/assertion.pub"},
          {"listener", listener("gateway-a", "require")},
          {"storage", {{"ssmix2_root", storage}, {"state_dir", state}}}};
}

http::ClientSettings client(const std::string& node = "") {
  http::ClientSettings s;
  s.tls.ca_file = dev_pki().ca();
  if (!node.empty()) {
    s.tls.cert_file = dev_pki().cert(node);
    s.tls.key_file = dev_pki().key(node);
  }
  return s;
}

TEST(Daemons, PortalIsReadyOverTlsAndStopsCleanlyOnSigterm) {
  const std::string db = testing::fresh_database();
  testing::Daemon portal("portal/hareyaka-portal", portal_config(db), "portal",
                         {{"HAREYAKA_TEST_DB", db}});
  http::BlockingHttpClient web(client());
  auto ready = web.request({.url = portal.url("web", "/readyz")});
  EXPECT_EQ(ready.status, 200) << ready.body;
  EXPECT_EQ(json::parse(ready.body)["checks"]["database"], true);
  // The node listener wants a network certificate.
  EXPECT_THROW(web.request({.url = portal.url("nodes", "/readyz")}), Error);
  http::BlockingHttpClient node(client("gateway-a"));
  EXPECT_EQ(node.request({.url = portal.url("nodes", "/healthz")}).status, 200);
  // Metrics: not on the public web listener, and on the node listener only for the
  // certificates in metrics_readers (a gateway's is not one).
  EXPECT_EQ(web.request({.url = portal.url("web", "/metrics")}).status, 404);
  EXPECT_EQ(node.request({.url = portal.url("nodes", "/metrics")}).status, 403);
  http::BlockingHttpClient monitoring(client("client"));
  auto metrics = monitoring.request({.url = portal.url("nodes", "/metrics")});
  EXPECT_NE(metrics.body.find("hareyaka_http_requests_total"), std::string::npos);
  // The database password never reaches the log; the log is JSON lines.
  EXPECT_EQ(portal.child().stop(), 0) << portal.log();
  std::istringstream lines(portal.log());
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    if (line.empty())
      continue;
    EXPECT_NO_THROW(json::parse(line)) << line;
    ++n;
  }
  EXPECT_GT(n, 2);
}

TEST(Daemons, TwoPortalsStartingOnOneDatabaseBothBecomeReady) {
  const std::string db = testing::fresh_database();
  testing::Daemon a("portal/hareyaka-portal", portal_config(db), "a", {{"HAREYAKA_TEST_DB", db}});
  testing::Daemon b("portal/hareyaka-portal", portal_config(db), "b", {{"HAREYAKA_TEST_DB", db}});
  http::BlockingHttpClient web(client());
  EXPECT_EQ(web.request({.url = a.url("web", "/readyz")}).status, 200);
  EXPECT_EQ(web.request({.url = b.url("web", "/readyz")}).status, 200);
}

TEST(Daemons, PortalWithoutDatabaseIsNotReadyAndSaysSo) {
  // Starting needs the schema, so an unreachable database stops the start with a message.
  testing::TempDir tmp;
  auto cfg = portal_config("");
  std::ofstream(tmp.path() + "/p.json") << cfg.dump();
  auto r = testing::run(
      {testing::binary_path("portal/hareyaka-portal"), "--config", tmp.path() + "/p.json"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("HAREYAKA_TEST_DB"), std::string::npos) << r.output;
}

TEST(Daemons, ConfigErrorsNameTheKey) {
  testing::TempDir tmp;
  auto cfg = gateway_config(tmp.path(), tmp.path() + "/state");
  cfg["storage"]["ssmix2_rot"] = "/x";
  std::ofstream(tmp.path() + "/g.json") << cfg.dump();
  auto r = testing::run(
      {testing::binary_path("gateway/hareyaka-gateway"), "--config", tmp.path() + "/g.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("unknown configuration key 'storage.ssmix2_rot'"), std::string::npos)
      << r.output;
  auto missing = testing::run(
      {testing::binary_path("gateway/hareyaka-gateway"), "--config", tmp.path() + "/none.json"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.output.find("cannot open configuration file"), std::string::npos);
}

TEST(Daemons, GatewayServesOnlyTheNetworkOverMutualTls) {
  testing::TempDir tmp;
  testing::Daemon gw("gateway/hareyaka-gateway", gateway_config(tmp.path(), tmp.path() + "/state"),
                     "gateway");
  http::BlockingHttpClient portal(client("portal"));
  // Ready once its (empty) storage is indexed.
  EXPECT_TRUE(testing::poll_until(
      [&] { return portal.request({.url = gw.url("nodes", "/readyz")}).status == 200; },
      std::chrono::seconds(30)));
  // No certificate, or one from outside the network: refused.
  EXPECT_EQ(testing::raw_tls_get(gw.port("nodes"), "/readyz", {}), "");
  EXPECT_EQ(testing::raw_tls_get(gw.port("nodes"), "/readyz",
                                 {.cert_file = dev_pki().other_dir + "/stranger.pem",
                                  .key_file = dev_pki().other_dir + "/stranger.key"}),
            "");
  EXPECT_EQ(testing::raw_tls_get(gw.port("nodes"), "/readyz",
                                 {.min_version = TLS1_VERSION,
                                  .max_version = TLS1_1_VERSION,
                                  .cert_file = dev_pki().cert("portal"),
                                  .key_file = dev_pki().key("portal")}),
            "");
  EXPECT_EQ(gw.child().stop(), 0);
}

}  // namespace
}  // namespace hareyaka
