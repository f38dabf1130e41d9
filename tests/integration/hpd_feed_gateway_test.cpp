// A gateway pulls the network directory from the portal (mutual TLS, registered gateways
// only), names the viewer in its local audit, and refuses assertions for users the
// directory does not know, has locked, or places in another facility; the compacted change
// log still gives a pull since any version every entity changed after it, once, as it is now.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <pqxx/pqxx>
#include <set>

#include "common/assertion.hpp"
#include "tests/integration/hpd_feed_network.hpp"
#include "tests/support/dev_pki.hpp"

namespace hareyaka {
namespace {

using nlohmann::json;
using testing::body_of;
using namespace testing::feed;

constexpr const char* kHospital = "1.2.392.200284.33.1310001";

// GET on the gateway's data API as the portal would, with an assertion for `user`.
http::ClientResponse gateway_get(testing::Daemon& gw, const std::string& user,
                                 const std::string& facility) {
  static AssertionSigner signer(testing::dev_pki().dir + "/assertion.key",
                                testing::cert_fingerprint(testing::dev_pki().cert("portal")));
  static http::BlockingHttpClient client(
      http::ClientSettings{.tls = {.ca_file = testing::dev_pki().ca(),
                                   .cert_file = testing::dev_pki().cert("portal"),
                                   .key_file = testing::dev_pki().key("portal")}});
  const auto now = unix_now();
  http::ClientRequest r{.url = gw.url("nodes", "/gw/v1/patients/P0001")};
  r.headers[kAssertionHeader] = signer.sign({.user = user,
                                             .profession = "doctor",
                                             .facility_oid = facility,
                                             .audience = kHospital,
                                             .authority = std::string(kHospital) + ".1",
                                             .local_id = "P0001",
                                             .category = "demographics",
                                             .request_id = "feed-test",
                                             .issued_at = now - 1,
                                             .expires_at = now + 60});
  return client.request(r);
}

json last_audit(const std::string& state_dir) {
  std::ifstream in(state_dir + "/audit.jsonl");
  std::string line, last;
  while (std::getline(in, line))
    last = line;
  return last.empty() ? json(nullptr) : json::parse(last);
}

TEST(HpdFeed, GatewayPullsTheDirectoryNamesTheViewerAndRefusesUnknownUsers) {
  auto& n = net();
  const auto clinic = add_facility("6000001", "さくら内科")["oid"].get<std::string>();
  add_user("gw-viewer", clinic);
  auto r = n.admin->call(
      "POST", "/api/v1/admin/facilities",
      {{"oid", kHospital},
       {"name", "晴れやか総合病院"},
       {"kind", "hospital"},
       {"discloses", true},
       {"views", true},
       {"gateway_url", "https://127.0.0.1:9/"},
       {"gateway_cert_sha256", testing::cert_fingerprint(testing::dev_pki().cert("gateway-a"))}});
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string storage = n.tmp.path() + "/ssmix2";
  const std::string state = n.tmp.path() + "/gw-state";
  std::filesystem::create_directories(storage);
  json gw{{"facility_oid", kHospital},
          {"assertion_public_key", testing::dev_pki().dir + "/assertion.pub"},
          {"listener", listener("gateway-a", "require")},
          {"storage", {{"ssmix2_root", storage}, {"state_dir", state}}},
          {"portal",
           {{"url", "https://127.0.0.1:" + std::to_string(n.portal->port("nodes"))},
            {"tls", client_tls("gateway-a")}}},
          {"directory", {{"pull_interval_ms", 200}}}};
  testing::Daemon gateway("gateway/hareyaka-gateway", gw, "gateway");
  ASSERT_TRUE(testing::poll_until(
      [&] {
        std::ifstream in(state + "/directory.json");
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        return text.find("gw-viewer") != std::string::npos;
      },
      std::chrono::seconds(60)))
      << gateway.log();

  // A known, active user: allowed (the patient does not exist here: 404), named in the audit.
  r = gateway_get(gateway, "gw-viewer", clinic);
  EXPECT_EQ(r.status, 404) << r.body;
  auto entry = last_audit(state);
  EXPECT_EQ(entry["outcome"], "allowed");
  EXPECT_EQ(entry["viewer"]["display_name"], "医師 gw-viewer");
  EXPECT_EQ(entry["viewer"]["facility_name"], "さくら内科");
  EXPECT_EQ(entry["viewer"]["directory_profession"], "doctor");
  // The directory never carries secrets.
  std::ifstream in(state + "/directory.json");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text.find("argon2"), std::string::npos);
  EXPECT_EQ(text.find("totp"), std::string::npos);

  // A user the directory does not know.
  r = gateway_get(gateway, "ghost", clinic);
  EXPECT_EQ(r.status, 403) << r.body;
  entry = last_audit(state);
  EXPECT_EQ(entry["outcome"], "refused");
  EXPECT_EQ(entry["reason"], "the user is not in the network directory");

  // An assertion naming another facility than the user's.
  r = gateway_get(gateway, "gw-viewer", kHospital);
  EXPECT_EQ(r.status, 403) << r.body;

  // Locked in the console: refused once the gateway has pulled the change.
  r = n.admin->call("PUT", "/api/v1/admin/users/gw-viewer", {{"status", "locked"}});
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_TRUE(
      testing::poll_until([&] { return gateway_get(gateway, "gw-viewer", clinic).status == 403; },
                          std::chrono::seconds(30)));
  EXPECT_EQ(last_audit(state)["reason"], "the user is locked in the network directory");

  // A node that is not a registered gateway may not pull.
  http::BlockingHttpClient other(
      http::ClientSettings{.tls = {.ca_file = testing::dev_pki().ca(),
                                   .cert_file = testing::dev_pki().cert("gateway-b"),
                                   .key_file = testing::dev_pki().key("gateway-b")}});
  auto pulled = other.request({.url = n.portal->url("nodes", "/api/gw/v1/directory?since=0")});
  EXPECT_EQ(pulled.status, 403);
}

// GET /api/gw/v1/directory as the registered gateway of the first test.
json pull(const std::string& query) {
  static http::BlockingHttpClient gw(
      http::ClientSettings{.tls = {.ca_file = testing::dev_pki().ca(),
                                   .cert_file = testing::dev_pki().cert("gateway-a"),
                                   .key_file = testing::dev_pki().key("gateway-a")}});
  auto r = gw.request({.url = net().portal->url("nodes", "/api/gw/v1/directory?" + query)});
  EXPECT_EQ(r.status, 200) << r.body;
  return r.status == 200 ? json::parse(r.body) : json::object();
}

std::int64_t sql_count(const std::string& sql) {
  pqxx::connection c(net().db);
  pqxx::work w(c);
  return w.exec1(sql)[0].as<std::int64_t>();
}

// Each entry of the pull once, and how many there are.
std::size_t distinct(const json& items, const char* key) {
  std::set<std::string> keys;
  for (const auto& i : items)
    keys.insert(i[key].get<std::string>());
  EXPECT_EQ(keys.size(), items.size()) << items.dump();
  return keys.size();
}

TEST(HpdFeed, APullSinceAnOldVersionGetsAnEntityChangedManyTimesOnceAsItIsNow) {
  auto& n = net();
  const auto clinic = add_facility("6100001", "改名の多い医院")["oid"].get<std::string>();
  const json everything = pull("since=0&limit=5000");
  ASSERT_FALSE(everything["more"].get<bool>());
  const auto v0 = everything["version"].get<std::int64_t>();
  // Since 0, after every earlier test's changes: every facility and user there is, once.
  EXPECT_EQ(distinct(everything["facilities"], "oid"),
            sql_count("SELECT count(*) FROM facilities"));
  EXPECT_EQ(distinct(everything["users"], "login_id"), sql_count("SELECT count(*) FROM users"));

  for (int i = 1; i <= 30; ++i) {
    auto r = n.admin->call("PUT", "/api/v1/admin/facilities/" + clinic,
                           {{"name", "改名の多い医院 " + std::to_string(i)}});
    ASSERT_EQ(r.status, 200) << r.body;
  }
  EXPECT_EQ(sql_count("SELECT count(*) FROM directory_changes WHERE entity_key = '" + clinic + "'"),
            1);
  EXPECT_EQ(sql_count("SELECT count(*) FROM directory_changes"),
            sql_count("SELECT count(DISTINCT (entity, entity_key)) FROM directory_changes"));

  const json since = pull("since=" + std::to_string(v0));
  ASSERT_EQ(since["facilities"].size(), 1u) << since.dump();
  EXPECT_EQ(since["facilities"][0]["oid"], clinic);
  EXPECT_EQ(since["facilities"][0]["name"], "改名の多い医院 30");
  EXPECT_EQ(since["users"].size(), 0u);
  EXPECT_EQ(since["deleted"].size(), 0u);
  EXPECT_GT(since["version"].get<std::int64_t>(), v0);
  EXPECT_FALSE(since["reset"].get<bool>());
  // Pulled up to date: nothing more, and the version stays.
  const json again = pull("since=" + std::to_string(since["version"].get<std::int64_t>()));
  EXPECT_EQ(again["facilities"].size(), 0u);
  EXPECT_EQ(again["version"], since["version"]);

  // Since 0 once more: still everything, each once, the clinic as it is now.
  const json all = pull("since=0&limit=5000");
  EXPECT_EQ(distinct(all["facilities"], "oid"), sql_count("SELECT count(*) FROM facilities"));
  EXPECT_EQ(all["version"], since["version"]);
  for (const auto& f : all["facilities"]) {
    if (f["oid"] == clinic)
      EXPECT_EQ(f["name"], "改名の多い医院 30");
  }
}

}  // namespace
}  // namespace hareyaka
