#include "tests/integration/two_portal_network.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <map>

#include "common/error.hpp"
#include "hpd/time.hpp"
#include "tests/integration/web_login.hpp"
#include "tests/support/dev_pki.hpp"
#include "tests/support/pg_cluster.hpp"

namespace hareyaka::testing {
namespace {

using nlohmann::json;

constexpr const char* kPassword = "Locator-Test-2026";
constexpr const char* kSecret = "JBSWY3DPEHPK3PXPJBSWY3DP";

http::BlockingHttpClient& web_client() {
  static http::BlockingHttpClient c([] {
    http::ClientSettings s;
    s.tls.ca_file = dev_pki().ca();
    return s;
  }());
  return c;
}

}  // namespace

http::ClientSettings node_client(const std::string& node) {
  http::ClientSettings s;
  s.tls = {.ca_file = dev_pki().ca(),
           .cert_file = dev_pki().cert(node),
           .key_file = dev_pki().key(node)};
  return s;
}

http::ClientResponse WebUser::get(const std::string& path) const {
  return web_client().request(
      {.url = net->portal_web_url(portal, path), .headers = {{"Cookie", cookie}}});
}

WebUser WebUser::on(int other_portal) const {
  WebUser u = *this;
  u.portal = other_portal;
  return u;
}

int WebUser::logout() const {
  return web_client()
      .request({.method = "DELETE",
                .url = net->portal_web_url(portal, "/api/v1/session"),
                .headers = {{"Cookie", cookie}, {"X-CSRF-Token", csrf}}})
      .status;
}

ExchangeNetwork::ExchangeNetwork(int portal_count) {
  for (int i = 0; i < portal_count; ++i)
    nodes_ports.push_back(testing::free_loopback_port());
  portals.resize(portal_count);
}

ExchangeNetwork::~ExchangeNetwork() {
  gw_a.reset();
  gw_b.reset();
  portals.clear();
}

json ExchangeNetwork::portal_config(int i) const {
  json config = {{"assertion_signing_key", dev_pki().dir + "/assertion.key"},
                 {"database", {{"conninfo", {{"env", "HAREYAKA_TEST_DB"}}}}},
                 {"listeners",
                  {{"web", testing::dev_listener("portal", 0, "none")},
                   {"nodes", testing::dev_listener("portal", nodes_ports[i], "require")}}},
                 {"client_tls",
                  {{"ca_file", dev_pki().ca()},
                   {"cert_file", dev_pki().cert("portal")},
                   {"key_file", dev_pki().key("portal")}}},
                 {"viewer", {{"gateway_deadline_ms", 1500}}},
                 {"auth", {{"fast_password_hashing_for_tests", true}}}};
  config.update(portal_extra);
  return config;
}

json ExchangeNetwork::gateway_config(const std::string& oid, const std::string& node,
                                     const std::string& dir, int portal) const {
  json storage{{"ssmix2_root", dir + "/ssmix2"}, {"state_dir", dir + "/state"}};
  if (std::filesystem::exists(dir + "/extended"))
    storage["extended_root"] = dir + "/extended";
  return {{"facility_oid", oid},
          {"assertion_public_key", dev_pki().dir + "/assertion.pub"},
          {"node_readers", {testing::cert_fingerprint(dev_pki().cert("portal"))}},
          {"listener", testing::dev_listener(node, testing::free_loopback_port(), "require")},
          {"storage", storage},
          {"portal",
           {{"url", portal_nodes_url(portal)},
            {"tls",
             {{"ca_file", dev_pki().ca()},
              {"cert_file", dev_pki().cert(node)},
              {"key_file", dev_pki().key(node)}}}}}};
}

std::string ExchangeNetwork::portal_nodes_url(int i) const {
  return "https://127.0.0.1:" + std::to_string(nodes_ports[i]);
}

std::string ExchangeNetwork::portal_web_url(int i, const std::string& path) const {
  return portals[i]->url("web", path);
}

void ExchangeNetwork::start_portal(int i) {
  portals[i] = std::make_unique<Daemon>(
      "portal/hareyaka-portal", portal_config(i), "portal-" + std::to_string(i),
      std::map<std::string, std::string>{{"HAREYAKA_TEST_DB", db}});
}

void ExchangeNetwork::start() {
  db = fresh_database();
  dir_a = tmp.path() + "/a";
  dir_b = tmp.path() + "/b";
  run_checked({binary_path("gateway/hareyaka-ssmix2-gen"), "--out", dir_a + "/ssmix2", "--extended",
               dir_a + "/extended", "--patients", "120", "--second-out", dir_b + "/ssmix2",
               "--shared-fraction", "0.2", "--second-patients", "10", "--truth",
               tmp.path() + "/truth.csv", "--seed", "23"});
  std::ifstream truth(tmp.path() + "/truth.csv");
  std::string line;
  std::map<std::string, std::pair<std::string, std::string>> by_person;
  std::getline(truth, line);
  while (std::getline(truth, line)) {
    auto c1 = line.find(','), c2 = line.find(',', c1 + 1), c3 = line.find(',', c2 + 1);
    const std::string person = line.substr(0, c1), fac = line.substr(c1 + 1, c2 - c1 - 1);
    const std::string id = line.substr(c2 + 1, c3 - c2 - 1);
    (fac == "A" ? by_person[person].first : by_person[person].second) = id;
  }
  for (const auto& [p, ids] : by_person) {
    if (!ids.first.empty() && !ids.second.empty())
      shared_.push_back(ids);
  }
  for (std::size_t i = 0; i < portals.size(); ++i)
    start_portal(static_cast<int>(i));
  gw_a = std::make_unique<Daemon>("gateway/hareyaka-gateway",
                                  gateway_config(kExA, "gateway-a", dir_a, 0), "gw-a");
  gw_b = std::make_unique<Daemon>(
      "gateway/hareyaka-gateway",
      gateway_config(kExB, "gateway-b", dir_b, static_cast<int>(portals.size()) - 1), "gw-b");
  seed();
}

void ExchangeNetwork::seed() {
  auto facility = [](const std::string& oid, const std::string& name, const std::string& kind,
                     bool discloses, const std::string& node, const Daemon* gw) {
    json f{{"oid", oid},
           {"name_kanji", name},
           {"kind", kind},
           {"municipality_code", "331007"},
           {"discloses", discloses},
           {"views", true}};
    if (gw) {
      f["gateway_url"] = "https://127.0.0.1:" + std::to_string(gw->port("nodes"));
      f["gateway_cert_sha256"] = cert_fingerprint(dev_pki().cert(node));
    }
    return f;
  };
  auto user = [](const std::string& login, const std::string& fac, const std::string& prof) {
    return json{{"login_id", login},  {"display_name", login}, {"facility_oid", fac},
                {"profession", prof}, {"password", kPassword}, {"totp_secret", kSecret}};
  };
  json consents = json::array();
  for (const auto& [a, b] : shared_) {
    for (const char* viewer : {kExClinic, kExPharmacy}) {
      consents.push_back({{"authority", std::string(kExA) + ".1"},
                          {"local_id", a},
                          {"source_facility", kExA},
                          {"viewer_facility", viewer}});
      consents.push_back({{"authority", std::string(kExB) + ".1"},
                          {"local_id", b},
                          {"source_facility", kExB},
                          {"viewer_facility", viewer}});
    }
  }
  if (extra_consents) {
    for (auto& c : extra_consents(shared_))
      consents.push_back(std::move(c));
  }
  json seed{
      {"facilities",
       {facility(kExA, "晴れやか総合病院", "hospital", true, "gateway-a", gw_a.get()),
        facility(kExB, "岡山中央病院", "hospital", true, "gateway-b", gw_b.get()),
        facility(kExClinic, "はれやかクリニック", "clinic", false, "", nullptr),
        facility(kExPharmacy, "さくら薬局", "pharmacy", false, "", nullptr)}},
      {"users",
       {user("dr-clinic", kExClinic, "doctor"), user("ph-sakura", kExPharmacy, "pharmacist")}},
      {"consents", consents}};
  std::ofstream(tmp.path() + "/seed.json") << seed.dump();
  std::ofstream(tmp.path() + "/portal.json") << portal_config(0).dump();
  run_checked({"env", "HAREYAKA_TEST_DB=" + db, binary_path("portal/hareyaka-portal"), "bootstrap",
               "--config", tmp.path() + "/portal.json", "--file", tmp.path() + "/seed.json"});
}

bool ExchangeNetwork::published(Daemon& gw) const {
  http::BlockingHttpClient c(node_client("portal"));
  try {
    auto r = c.request({.url = gw.url("nodes", "/gw/v1/publish/status")});
    if (r.status != 200)
      return false;
    const json j = json::parse(r.body);
    return j["pending"] == 0 && j["locator_resync_due"] == false && j["locator_resyncs"] >= 1;
  } catch (const std::exception&) {
    return false;
  }
}

WebUser ExchangeNetwork::login(int portal, const std::string& login_id) {
  // A TOTP code is good once (replay guard): one login per user, its session reused on
  // whichever portal (sessions live in the shared database).
  static std::map<std::string, WebUser> sessions;
  if (auto it = sessions.find(login_id); it != sessions.end())
    return it->second.on(portal);
  const testing::WebLogin w = testing::web_login(
      web_client(), portal_web_url(portal, "/api/v1/session"), login_id, kPassword, kSecret);
  WebUser u{this, portal, w.cookie, w.csrf};
  sessions[login_id] = u;
  return u;
}

std::string ExchangeNetwork::shared_person(const WebUser& user) {
  auto r = user.get("/api/v1/persons?page_size=200");
  EXPECT_EQ(r.status, 200) << r.body;
  const json list = json::parse(r.body);
  for (const auto& p : list["items"]) {
    if (p["identifiers"].size() >= 2)
      return p["person_id"];
  }
  ADD_FAILURE() << "no person with identities at both hospitals: " << r.body.substr(0, 2000);
  return "";
}

}  // namespace hareyaka::testing
