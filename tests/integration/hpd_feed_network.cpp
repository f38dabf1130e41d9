#include "tests/integration/hpd_feed_network.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/dev_pki.hpp"
#include "tests/support/pg_cluster.hpp"

namespace hareyaka::testing::feed {

json listener(const std::string& node, const std::string& auth) {
  return {
      {"address", "127.0.0.1"},          {"port", 0},           {"cert_file", dev_pki().cert(node)},
      {"key_file", dev_pki().key(node)}, {"client_auth", auth}, {"client_ca_file", dev_pki().ca()}};
}

json client_tls(const std::string& node) {
  return {{"ca_file", dev_pki().ca()},
          {"cert_file", dev_pki().cert(node)},
          {"key_file", dev_pki().key(node)}};
}

Network::Network() : db(fresh_database()) {
  json& cfg = config;
  cfg = {{"log", {{"format", "json"}}},
         {"runtime", {{"io_threads", 2}, {"worker_threads", 4}}},
         {"assertion_signing_key", dev_pki().dir + "/assertion.key"},
         {"database", {{"conninfo", db}, {"pool_size", 8}}},
         {"listeners",
          {{"web", listener("portal", "none")}, {"nodes", listener("portal", "require")}}},
         {"auth", {{"fast_password_hashing_for_tests", true}}},
         {"hpd_feed", {{"interval_ms", 100}, {"max_backoff_ms", 500}, {"timeout_ms", 2000}}},
         {"client_tls", client_tls("portal")},
         {"hpd", {{"feed_nodes", json::array({cert_fingerprint(dev_pki().cert("client"))})}}}};
  const std::string cfg_file = tmp.path() + "/portal.json";
  std::ofstream(cfg_file) << cfg.dump();
  const std::string seed = tmp.path() + "/seed.json";
  std::ofstream(seed) << json{{"facilities",
                               {{{"oid", kSecretariat},
                                 {"name_kanji", "晴れやかネット事務局"},
                                 {"kind", "hospital"},
                                 {"discloses", false},
                                 {"views", true}}}},
                              {"users",
                               {{{"login_id", kAdmin},
                                 {"display_name", "事務局 管理者"},
                                 {"facility_oid", kSecretariat},
                                 {"profession", "secretariat_admin"},
                                 {"password", kPassword},
                                 {"totp_secret", kTotp}}}}}
                             .dump();
  run_checked(
      {binary_path("portal/hareyaka-portal"), "bootstrap", "--config", cfg_file, "--file", seed});
  portal = std::make_unique<Daemon>("portal/hareyaka-portal", cfg, "portal");
  admin = std::make_unique<Browser>(portal->port("web"));
  auto r = admin->login(kAdmin, kPassword, kTotp);
  if (r.status != 200)
    throw std::runtime_error("admin login: " + r.body + "\n" + portal->log());
}

Network& net() {
  static Network n;
  return n;
}

json system_state(std::int64_t id) {
  auto r = net().admin->call("GET", "/api/v1/admin/connected-systems");
  const json body = body_of(r);
  for (const auto& s : body["items"]) {
    if (s["id"] == id)
      return s;
  }
  return json{{"list", r.body}};
}

json add_facility(const std::string& code, const std::string& name) {
  auto r = net().admin->call("POST", "/api/v1/admin/facilities",
                             {{"prefecture", "33"},
                              {"code", code},
                              {"name", name},
                              {"kind", "clinic"},
                              {"discloses", false},
                              {"views", true}});
  EXPECT_EQ(r.status, 201) << r.body;
  return body_of(r);
}

void add_user(const std::string& login, const std::string& facility) {
  auto r = net().admin->call("POST", "/api/v1/admin/users",
                             {{"login_id", login},
                              {"display_name", "医師 " + login},
                              {"facility_oid", facility},
                              {"profession", "doctor"},
                              {"password", kPassword}});
  ASSERT_EQ(r.status, 201) << r.body;
}

std::string oid(const std::string& code) {
  return "1.2.392.200284.33." + code;
}

std::int64_t& first_system() {
  static std::int64_t id = 0;
  return id;
}

std::string system_path(std::int64_t id, const std::string& tail) {
  return "/api/v1/admin/connected-systems/" + std::to_string(id) + tail;
}

void while_paused(const std::function<void()>& changes) {
  auto r = net().admin->call("PUT", system_path(first_system()), {{"enabled", false}});
  ASSERT_EQ(r.status, 200) << r.body;
  changes();
  r = net().admin->call("PUT", system_path(first_system()), {{"enabled", true}});
  ASSERT_EQ(r.status, 200) << r.body;
}

}  // namespace hareyaka::testing::feed
