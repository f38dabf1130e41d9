// The exchange end to end, as the seed network runs it: two hospitals' gateways publish
// their generated SS-MIX2 storages to the portal (ITI-44 over mutual TLS); clinicians at
// other facilities read them through the viewer API; consent, role policy, audit and
// partial answers behave; killing either side mid-publish loses nothing.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <signal.h>
#include <sys/socket.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "common/error.hpp"
#include "common/http_client.hpp"
#include "common/pg.hpp"
#include "consent/pg_consent_store.hpp"
#include "portal/auth/totp.hpp"
#include "tests/integration/web_login.hpp"
#include "tests/support/daemon.hpp"
#include "tests/support/dev_pki.hpp"
#include "tests/support/pg_cluster.hpp"

namespace hareyaka {
namespace {

using nlohmann::json;
using testing::dev_pki;

constexpr const char* kRoot = "1.2.392.200284.33";
const std::string kA = std::string(kRoot) + ".1310001";
const std::string kB = std::string(kRoot) + ".1310002";
const std::string kClinic = std::string(kRoot) + ".2000001";
const std::string kOtherClinic = std::string(kRoot) + ".2000002";
const std::string kPharmacy = std::string(kRoot) + ".3000001";
constexpr const char* kPassword = "Exchange-Test-2026";
constexpr const char* kSecret = "JBSWY3DPEHPK3PXPJBSWY3DP";

struct Network {
  testing::TempDir tmp;
  std::string db;
  int nodes_port = 0;
  std::unique_ptr<testing::Daemon> portal, gw_a, gw_b;
  std::vector<std::string> a_ids, b_ids;                    // patient ids in each storage
  std::vector<std::pair<std::string, std::string>> shared;  // (A id, B id) of one person

  json portal_config() const {
    return {{"assertion_signing_key", dev_pki().dir + "/assertion.key"},
            {"database", {{"conninfo", {{"env", "HAREYAKA_TEST_DB"}}}}},
            {"listeners",
             {{"web", testing::dev_listener("portal", 0, "none")},
              {"nodes", testing::dev_listener("portal", nodes_port, "require")}}},
            {"client_tls",
             {{"ca_file", dev_pki().ca()},
              {"cert_file", dev_pki().cert("portal")},
              {"key_file", dev_pki().key("portal")}}},
            {"viewer", {{"gateway_deadline_ms", 1500}}},
            {"auth", {{"fast_password_hashing_for_tests", true}}}};
  }

  json gateway_config(const std::string& oid, const std::string& node,
                      const std::string& dir) const {
    // Fixed ports, as in production: the directory keeps each gateway's address.
    return {{"facility_oid", oid},
            {"assertion_public_key", dev_pki().dir + "/assertion.pub"},
            {"node_readers", {testing::cert_fingerprint(dev_pki().cert("portal"))}},
            {"listener", testing::dev_listener(node, testing::free_loopback_port(), "require")},
            {"storage", {{"ssmix2_root", dir + "/ssmix2"}, {"state_dir", dir + "/state"}}},
            {"portal",
             {{"url", "https://127.0.0.1:" + std::to_string(nodes_port)},
              {"tls",
               {{"ca_file", dev_pki().ca()},
                {"cert_file", dev_pki().cert(node)},
                {"key_file", dev_pki().key(node)}}}}}};
  }

  void start_portal() {
    portal = std::make_unique<testing::Daemon>(
        "portal/hareyaka-portal", portal_config(), "portal",
        std::map<std::string, std::string>{{"HAREYAKA_TEST_DB", db}});
  }
};

Network* net = nullptr;

class Exchange : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    net = new Network();
    net->db = testing::fresh_database();
    net->nodes_port = testing::free_loopback_port();
    const std::string a = net->tmp.path() + "/a", b = net->tmp.path() + "/b";
    testing::run_checked({testing::binary_path("gateway/hareyaka-ssmix2-gen"), "--out",
                          a + "/ssmix2", "--patients", "250", "--second-out", b + "/ssmix2",
                          "--shared-fraction", "0.2", "--second-patients", "10", "--truth",
                          net->tmp.path() + "/truth.csv", "--seed", "11"});
    std::ifstream truth(net->tmp.path() + "/truth.csv");
    std::string line;
    std::map<std::string, std::pair<std::string, std::string>> by_person;
    std::getline(truth, line);
    while (std::getline(truth, line)) {
      auto c1 = line.find(','), c2 = line.find(',', c1 + 1), c3 = line.find(',', c2 + 1);
      const std::string person = line.substr(0, c1), fac = line.substr(c1 + 1, c2 - c1 - 1);
      const std::string id = line.substr(c2 + 1, c3 - c2 - 1);
      (fac == "A" ? net->a_ids : net->b_ids).push_back(id);
      (fac == "A" ? by_person[person].first : by_person[person].second) = id;
    }
    for (const auto& [p, ids] : by_person) {
      if (!ids.first.empty() && !ids.second.empty())
        net->shared.push_back(ids);
    }
    net->start_portal();
    net->gw_a = std::make_unique<testing::Daemon>("gateway/hareyaka-gateway",
                                                  net->gateway_config(kA, "gateway-a", a), "gw-a");
    net->gw_b = std::make_unique<testing::Daemon>("gateway/hareyaka-gateway",
                                                  net->gateway_config(kB, "gateway-b", b), "gw-b");
    seed();
  }

  static void TearDownTestSuite() {
    delete net;
    net = nullptr;
  }

  static void seed() {
    auto facility = [](const std::string& oid, const std::string& name, const std::string& kind,
                       bool discloses, const std::string& node, const testing::Daemon* gw) {
      json f{{"oid", oid},
             {"name_kanji", name},
             {"kind", kind},
             {"municipality_code", "331007"},
             {"discloses", discloses},
             {"views", true}};
      if (gw) {
        f["gateway_url"] = "https://127.0.0.1:" + std::to_string(gw->port("nodes"));
        f["gateway_cert_sha256"] = testing::cert_fingerprint(dev_pki().cert(node));
      }
      return f;
    };
    auto user = [](const std::string& login, const std::string& fac, const std::string& prof) {
      return json{{"login_id", login},  {"display_name", login}, {"facility_oid", fac},
                  {"profession", prof}, {"password", kPassword}, {"totp_secret", kSecret}};
    };
    json consents = json::array();
    for (const auto& [a, b] : net->shared) {
      for (const auto& viewer : {kClinic, kPharmacy}) {
        consents.push_back({{"authority", kA + ".1"},
                            {"local_id", a},
                            {"source_facility", kA},
                            {"viewer_facility", viewer}});
        consents.push_back({{"authority", kB + ".1"},
                            {"local_id", b},
                            {"source_facility", kB},
                            {"viewer_facility", viewer}});
      }
    }
    json seed{{"facilities",
               {facility(kA, "晴れやか総合病院", "hospital", true, "gateway-a", net->gw_a.get()),
                facility(kB, "岡山中央病院", "hospital", true, "gateway-b", net->gw_b.get()),
                facility(kClinic, "はれやかクリニック", "clinic", false, "", nullptr),
                facility(kOtherClinic, "よそのクリニック", "clinic", false, "", nullptr),
                facility(kPharmacy, "さくら薬局", "pharmacy", false, "", nullptr)}},
              {"users",
               {user("dr-clinic", kClinic, "doctor"), user("ph-sakura", kPharmacy, "pharmacist"),
                user("dr-other", kOtherClinic, "doctor")}},
              {"consents", consents}};
    std::ofstream(net->tmp.path() + "/seed.json") << seed.dump();
    std::ofstream(net->tmp.path() + "/portal.json") << net->portal_config().dump();
    testing::run_checked({"env", "HAREYAKA_TEST_DB=" + net->db,
                          testing::binary_path("portal/hareyaka-portal"), "bootstrap", "--config",
                          net->tmp.path() + "/portal.json", "--file",
                          net->tmp.path() + "/seed.json"});
  }

  static http::ClientSettings node_client(const std::string& node) {
    http::ClientSettings s;
    s.tls = {.ca_file = dev_pki().ca(),
             .cert_file = dev_pki().cert(node),
             .key_file = dev_pki().key(node)};
    return s;
  }

  static std::set<std::string> portal_ids(const std::string& authority) {
    pg::Pool pool({.conninfo = net->db, .size = 1});
    return pg::transact(pool, [&](pg::Tx& tx) {
      std::set<std::string> out;
      for (const auto& r : tx.raw().exec_params(
               "SELECT local_id FROM pix_identities WHERE authority = $1", authority)) {
        out.insert(r[0].as<std::string>());
      }
      return out;
    });
  }

  static bool published(testing::Daemon& gw) {
    http::BlockingHttpClient c(node_client("portal"));
    try {
      auto r = c.request({.url = gw.url("nodes", "/gw/v1/publish/status")});
      return r.status == 200 && json::parse(r.body)["pending"] == 0 &&
             json::parse(r.body)["acknowledged"].get<int>() >= 0;
    } catch (const Error&) {
      return false;
    }
  }

  // A logged-in browser.
  struct Browser {
    std::unique_ptr<http::BlockingHttpClient> client;
    std::string cookie;
    http::ClientResponse get(const std::string& path) {
      return client->request(
          {.url = net->portal->url("web", path), .headers = {{"Cookie", cookie}}});
    }
  };

  static Browser& login(const std::string& login_id) {
    static std::map<std::string, Browser> sessions;
    auto it = sessions.find(login_id);
    if (it != sessions.end())
      return it->second;
    Browser& b = sessions[login_id];
    http::ClientSettings s;
    s.tls.ca_file = dev_pki().ca();
    b.client = std::make_unique<http::BlockingHttpClient>(s);
    b.cookie = testing::web_login(*b.client, net->portal->url("web", "/api/v1/session"), login_id,
                                  kPassword, kSecret)
                   .cookie;
    return b;
  }

  static std::string shared_person(Browser& b) {
    auto r = b.get("/api/v1/persons?page_size=200");
    EXPECT_EQ(r.status, 200) << r.body;
    const json list = json::parse(r.body);
    for (const auto& p : list["items"]) {
      if (p["identifiers"].size() >= 2)
        return p["person_id"];
    }
    ADD_FAILURE() << "no person with identities at both hospitals: " << r.body.substr(0, 2000);
    return "";
  }
};

TEST_F(Exchange, KillNineEitherSideMidPublishLosesNothing) {
  // The gateways are publishing their first feeds: kill -9 one of them and the portal.
  ASSERT_TRUE(
      testing::poll_until([] { return !portal_ids(kA + ".1").empty(); }, std::chrono::seconds(60)));
  net->gw_a->child().kill9();
  net->portal->child().kill9();
  net->start_portal();  // same database, same node port
  net->gw_a->restart();
  ASSERT_TRUE(testing::poll_until([] { return published(*net->gw_a) && published(*net->gw_b); },
                                  std::chrono::seconds(120)));
  const std::set<std::string> want_a(net->a_ids.begin(), net->a_ids.end());
  const std::set<std::string> want_b(net->b_ids.begin(), net->b_ids.end());
  EXPECT_EQ(portal_ids(kA + ".1"), want_a);
  EXPECT_EQ(portal_ids(kB + ".1"), want_b);
  // The shared people were linked: one person per shared pair.
  EXPECT_FALSE(net->shared.empty());
}

TEST_F(Exchange, ConsentedDoctorSeesBothHospitalsInOnePerson) {
  auto& dr = login("dr-clinic");
  const std::string pid = shared_person(dr);
  ASSERT_FALSE(pid.empty());
  auto summary = json::parse(dr.get("/api/v1/persons/" + pid).body);
  EXPECT_EQ(summary["facilities"].size(), 2u) << summary.dump();
  for (const char* cat : {"encounters", "diagnoses", "prescriptions", "lab_results"}) {
    auto r = dr.get("/api/v1/persons/" + pid + "/" + cat);
    ASSERT_EQ(r.status, 200) << cat << r.body;
    auto j = json::parse(r.body);
    std::set<std::string> sources;
    for (const auto& item : j["items"])
      sources.insert(item["facility_oid"]);
    EXPECT_TRUE(j["missing"].empty()) << j["missing"].dump();
    if (std::string(cat) == "encounters") {
      EXPECT_EQ(sources, (std::set<std::string>{kA, kB})) << cat;
    } else {
      EXPECT_FALSE(sources.empty()) << cat;
    }
  }
}

// Issue #15 leak 7: what the portal sends is bound to its own certificate and used once, and
// the gateways' node endpoints answer the portal, not another gateway.
TEST_F(Exchange, ThePortalsAssertionsNameItsCertificateAndEachIsUsedOnce) {
  auto& dr = login("dr-clinic");
  const std::string pid = shared_person(dr);
  ASSERT_FALSE(pid.empty());
  for (const char* cat : {"encounters", "diagnoses", "encounters"})
    ASSERT_EQ(dr.get("/api/v1/persons/" + pid + "/" + cat).status, 200) << cat;
  const std::string portal_cert = testing::cert_fingerprint(dev_pki().cert("portal"));
  std::set<std::string> ids;
  std::size_t allowed = 0;
  std::istringstream lines(testing::read_file(net->tmp.path() + "/a/state/audit.jsonl"));
  for (std::string line; std::getline(lines, line);) {
    const json e = json::parse(line);
    if (e.value("outcome", "") != "allowed" || e["viewer"].value("user", "") != "dr-clinic")
      continue;
    ++allowed;
    EXPECT_EQ(e["presenter"], portal_cert) << line;
    EXPECT_TRUE(ids.insert(e["assertion_id"].get<std::string>()).second) << line;
  }
  EXPECT_GE(allowed, 3u);

  http::BlockingHttpClient as_b(node_client("gateway-b"));
  for (const char* path : {"/gw/v1/publish/status", "/gw/v1/stats", "/gw/v1/problems"}) {
    EXPECT_EQ(as_b.request({.url = net->gw_a->url("nodes", path)}).status, 403) << path;
    http::BlockingHttpClient as_portal(node_client("portal"));
    EXPECT_EQ(as_portal.request({.url = net->gw_a->url("nodes", path)}).status, 200) << path;
  }
}

TEST_F(Exchange, AMalformedParameterIsA400NamingIt) {
  auto& dr = login("dr-clinic");
  const std::string pid = shared_person(dr);
  ASSERT_FALSE(pid.empty());
  const std::string base = "/api/v1/persons/" + pid + "/encounters";
  for (const auto& [query, name] : std::vector<std::pair<std::string, std::string>>{
           {"?cursor=%7B%22x%22:%22a%22%7D", "cursor"},  // {"x":"a"}: was a 500
           {"?cursor=%5B1,2%5D", "cursor"},
           {"?cursor=%7B%22x%22:-1%7D", "cursor"},
           {"?cursor=nope", "cursor"},
           {"?page_size=ten", "page_size"},
           {"?page_size=0", "page_size"},
           {"?page_size=100000", "page_size"}}) {
    auto r = dr.get(base + query);
    EXPECT_EQ(r.status, 400) << query << " " << r.body;
    EXPECT_NE(r.body.find("'" + name + "'"), std::string::npos) << query << " " << r.body;
  }
  for (const char* query : {"?page_size=abc", "?cursor=x1", "?page_size=500"}) {
    auto r = dr.get(std::string("/api/v1/persons") + query);
    EXPECT_EQ(r.status, 400) << query << " " << r.body;
  }
  EXPECT_EQ(dr.get(base + "?page_size=5").status, 200);
}

TEST_F(Exchange, PharmacistSeesOnlyDiagnosesAndPrescriptions) {
  auto& ph = login("ph-sakura");
  const std::string pid = shared_person(ph);
  ASSERT_FALSE(pid.empty());
  EXPECT_EQ(ph.get("/api/v1/persons/" + pid + "/diagnoses").status, 200);
  EXPECT_EQ(ph.get("/api/v1/persons/" + pid + "/prescriptions").status, 200);
  for (const char* cat : {"encounters", "lab_results", "documents", "imaging", "injections"}) {
    EXPECT_EQ(ph.get("/api/v1/persons/" + pid + "/" + cat).status, 403) << cat;
  }
}

TEST_F(Exchange, WithoutConsentNothingIsListedAndTheAttemptIsAuditedAsDenied) {
  auto& dr = login("dr-clinic");
  const std::string pid = shared_person(dr);
  auto& other = login("dr-other");
  auto list = json::parse(other.get("/api/v1/persons").body);
  EXPECT_TRUE(list["items"].empty()) << list.dump();
  EXPECT_EQ(other.get("/api/v1/persons?q=" + std::string("%E3%82%A2")).status, 200);
  EXPECT_EQ(other.get("/api/v1/persons/" + pid + "/encounters").status, 404);
  pg::Pool pool({.conninfo = net->db, .size = 1});
  auto denied = pg::transact(pool, [&](pg::Tx& tx) {
    return tx.raw()
        .exec_params(
            "SELECT count(*) FROM audit_log WHERE actor_user = 'dr-other' AND "
            "outcome = 'denied' AND person_id = $1",
            pid)[0][0]
        .as<int>();
  });
  EXPECT_GE(denied, 1);
}

TEST_F(Exchange, AStalledGatewayGivesAPartialAnswerNamingItWithinTheDeadline) {
  auto& dr = login("dr-clinic");
  const std::string pid = shared_person(dr);
  ::kill(net->gw_b->child().pid(), SIGSTOP);
  auto r = dr.get("/api/v1/persons/" + pid + "/encounters");
  ::kill(net->gw_b->child().pid(), SIGCONT);
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = json::parse(r.body);
  ASSERT_EQ(j["missing"].size(), 1u) << j.dump();
  EXPECT_EQ(j["missing"][0]["facility_oid"], kB);
  EXPECT_EQ(j["missing"][0]["reason"], "timeout");
  for (const auto& item : j["items"])
    EXPECT_EQ(item["facility_oid"], kA);
  EXPECT_FALSE(j["items"].empty());
}

TEST_F(Exchange, WithdrawalTakesEffectOnTheNextRequest) {
  auto& dr = login("dr-clinic");
  const std::string pid = shared_person(dr);
  ASSERT_EQ(dr.get("/api/v1/persons/" + pid + "/diagnoses").status, 200);
  auto ids = json::parse(dr.get("/api/v1/persons/" + pid).body)["identifiers"];
  pg::Pool pool({.conninfo = net->db, .size = 1});
  consent::PgConsentStore store(pool);
  for (const auto& i : ids) {
    for (const auto& c :
         store.list_for_patient({i["authority"], i["local_id"]}, {.limit = 50}).items) {
      if (c.viewer_facility == kClinic)
        store.withdraw(c.id, "desk", "patient withdrew", hpd::Clock::now());
    }
  }
  EXPECT_EQ(dr.get("/api/v1/persons/" + pid + "/diagnoses").status, 404);
}

}  // namespace
}  // namespace hareyaka
