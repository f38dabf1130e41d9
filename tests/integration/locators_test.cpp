// Locator entries end to end, with two portal processes on one database: gateway A
// publishes to portal 1, gateway B to portal 2. After kill -9 of a gateway mid-publish and of
// a portal mid-receive, the portal's locators equal what a fresh scan of each storage gives
// (categories, counts, date ranges, document ids); a tampered locator table is repaired by
// the gateway's resynchronisation; a gateway cannot write under another facility; the viewer
// takes the summary from the locators (only for allowed categories) and skips a facility whose
// entry says it holds nothing; a session made on one portal works on the other and the audit
// chain written by both verifies.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "common/error.hpp"
#include "common/http_client.hpp"
#include "common/pg.hpp"
#include "gateway/publish/locator.hpp"
#include "gateway/storage/storage_index.hpp"
#include "tests/integration/two_portal_network.hpp"
#include "tests/support/dev_pki.hpp"
#include "tests/support/pg_cluster.hpp"

namespace hareyaka {
namespace {

using nlohmann::json;
using testing::dev_pki;
using testing::ExchangeNetwork;

ExchangeNetwork* net = nullptr;

class Locators : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    net = new ExchangeNetwork(/*portals=*/2);
    net->start();
  }
  static void TearDownTestSuite() {
    delete net;
    net = nullptr;
  }

  // The portal's locators of one facility: local id -> (content, digest).
  static std::map<std::string, std::pair<json, std::string>> portal_locators(
      const std::string& facility) {
    pg::Pool pool({.conninfo = net->db, .size = 1});
    return pg::transact(pool, [&](pg::Tx& tx) {
      std::map<std::string, std::pair<json, std::string>> out;
      for (const auto& r : tx.raw().exec_params(
               "SELECT local_id, content::text, digest FROM locators WHERE facility_oid = $1",
               facility)) {
        out[r[0].as<std::string>()] = {json::parse(r[1].as<std::string>()), r[2].as<std::string>()};
      }
      return out;
    });
  }

  // What a fresh scan of the storage gives (not the gateway's memory, nor its cache).
  static std::map<std::string, std::pair<json, std::string>> index_locators(
      const std::string& dir) {
    gateway::storage::IndexOptions o;
    o.standard_root = dir + "/ssmix2";
    if (std::filesystem::exists(dir + "/extended"))
      o.extended_root = dir + "/extended";
    gateway::storage::StorageIndex index(std::move(o));
    index.scan();
    std::map<std::string, std::pair<json, std::string>> out;
    for (const auto& id : index.patient_ids("", 1'000'000)) {
      auto e = gateway::publish::locator_entry(index, {}, id);
      out[id] = {e->content, e->digest};
    }
    return out;
  }

  static void expect_equal(const std::map<std::string, std::pair<json, std::string>>& portal,
                           const std::map<std::string, std::pair<json, std::string>>& index,
                           bool with_extended = false) {
    ASSERT_EQ(portal.size(), index.size());
    int with_documents = 0;
    for (const auto& [id, want] : index) {
      auto it = portal.find(id);
      ASSERT_NE(it, portal.end()) << "no locator for " << id;
      // Categories with counts and ranges, document ids, studies: all of it.
      EXPECT_EQ(it->second.first, want.first) << id;
      EXPECT_EQ(it->second.second, want.second) << id;
      with_documents += !want.first["documents"].empty();
    }
    if (with_extended) {
      EXPECT_GT(with_documents, 0) << "the storage should have documents to compare";
    }
  }

  static http::ClientResponse node_call(const std::string& node, const std::string& method,
                                        const std::string& path, const std::string& body = "") {
    http::BlockingHttpClient c(testing::node_client(node));
    http::ClientRequest req{.method = method, .url = net->portal_nodes_url(0) + path, .body = body};
    if (!body.empty())
      req.headers["Content-Type"] = "application/json";
    return c.request(std::move(req));
  }

  static int count_rows(const std::string& sql) {
    pg::Pool pool({.conninfo = net->db, .size = 1});
    return pg::transact(pool, [&](pg::Tx& tx) { return tx.raw().exec(sql)[0][0].as<int>(); });
  }
};

TEST_F(Locators, KillNineMidPublishAndMidReceiveThenLocatorsEqualTheIndex) {
  // Gateway A is sending its first entries to portal 1: kill -9 both, restart both.
  ASSERT_TRUE(testing::poll_until([] { return !portal_locators(testing::kExA).empty(); },
                                  std::chrono::seconds(120)));
  net->gw_a->child().kill9();
  net->portals[0]->child().kill9();
  // How far publishing had got (timing decides; the test holds either way).
  std::cout << "locators of A at the kill: " << portal_locators(testing::kExA).size() << "\n";
  net->start_portal(0);
  net->gw_a->restart();
  ASSERT_TRUE(
      testing::poll_until([] { return net->published(*net->gw_a); }, std::chrono::seconds(180)));
  ASSERT_TRUE(
      testing::poll_until([] { return net->published(*net->gw_b); }, std::chrono::seconds(180)));
  expect_equal(portal_locators(testing::kExA), index_locators(net->dir_a), true);
  expect_equal(portal_locators(testing::kExB), index_locators(net->dir_b));
}

TEST_F(Locators, ResyncRepairsATamperedTable) {
  ASSERT_TRUE(
      testing::poll_until([] { return net->published(*net->gw_a); }, std::chrono::seconds(180)));
  const auto before = portal_locators(testing::kExA);
  ASSERT_GE(before.size(), 3u);
  auto it = before.begin();
  const std::string gone = it->first, changed = (++it)->first;
  pg::Pool pool({.conninfo = net->db, .size = 1});
  pg::transact_void(pool, [&](pg::Tx& tx) {
    tx.raw().exec_params("DELETE FROM locators WHERE facility_oid = $1 AND local_id = $2",
                         testing::kExA, gone);
    tx.raw().exec_params(
        "UPDATE locators SET content = '{\"categories\":{},\"documents\":[],\"studies\":[]}', "
        "digest = 'tampered' WHERE facility_oid = $1 AND local_id = $2",
        testing::kExA, changed);
    tx.raw().exec_params(
        "INSERT INTO locators (facility_oid, authority, local_id, digest, last_change, content) "
        "VALUES ($1, $2, 'GHOST-1', 'x', now(), '{}')",
        testing::kExA, std::string(testing::kExA) + ".1");
  });
  net->gw_a->child().kill9();  // resynchronises at start
  net->gw_a->restart();
  ASSERT_TRUE(
      testing::poll_until([] { return net->published(*net->gw_a); }, std::chrono::seconds(180)));
  const auto after = portal_locators(testing::kExA);
  EXPECT_FALSE(after.contains("GHOST-1"));
  EXPECT_EQ(after.at(gone), before.at(gone));
  EXPECT_EQ(after.at(changed), before.at(changed));
  expect_equal(after, index_locators(net->dir_a), true);
}

TEST_F(Locators, AGatewayWritesOnlyItsOwnFacilityAndBadInputIsRefused) {
  const auto a = portal_locators(testing::kExA);
  ASSERT_FALSE(a.empty());
  const std::string id = a.begin()->first;
  json body = a.begin()->second.first;
  body["digest"] = a.begin()->second.second;
  body["last_change"] = "2030-01-01T00:00:00.000Z";
  // Gateway B naming facility A: refused, and A's entry is untouched.
  body["facility_oid"] = testing::kExA;
  EXPECT_EQ(node_call("gateway-b", "PUT", "/api/gw/v1/locators/" + id, body.dump()).status, 403);
  body["facility_oid"] = testing::kExB;
  body["authority"] = std::string(testing::kExA) + ".1";
  EXPECT_EQ(node_call("gateway-b", "PUT", "/api/gw/v1/locators/" + id, body.dump()).status, 403);
  body.erase("facility_oid");
  body.erase("authority");
  // A node that is no facility's gateway can neither write nor read.
  EXPECT_EQ(node_call("client", "PUT", "/api/gw/v1/locators/" + id, body.dump()).status, 403);
  EXPECT_EQ(node_call("client", "GET", "/api/gw/v1/locators").status, 403);
  EXPECT_EQ(node_call("client", "DELETE", "/api/gw/v1/locators/" + id).status, 403);
  EXPECT_EQ(portal_locators(testing::kExA).at(id), a.begin()->second);
  // Bad input from a registered gateway: clear errors.
  auto put = [&](const std::string& patient, const std::string& text) {
    return node_call("gateway-a", "PUT", "/api/gw/v1/locators/" + patient, text);
  };
  auto r = put(id, "{not json");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("not JSON"), std::string::npos) << r.body;
  json unknown = body;
  unknown["colour"] = "red";
  EXPECT_EQ(put(id, unknown.dump()).status, 400);
  json wrong = body;
  wrong["digest"] = std::string(64, '0');
  r = put(id, wrong.dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("digest"), std::string::npos) << r.body;
  json bad_cat = body;
  bad_cat["categories"]["x-rays"] = {{"count", 1}};
  EXPECT_EQ(put(id, bad_cat.dump()).status, 400);
  r = put("NO-SUCH-PATIENT", body.dump());
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("ITI-44"), std::string::npos) << r.body;
  json oversized = body;
  oversized["documents"] = json::array();
  for (int i = 0; i <= 100'000; ++i)
    oversized["documents"].push_back("d");
  r = put(id, oversized.dump());
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("at most 100000"), std::string::npos) << r.body;
  // The same digest again is a no-op; an older change time does not overwrite.
  r = put(id, body.dump());
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["status"], "unchanged");
  json older{
      {"categories", json::object()}, {"documents", json::array()}, {"studies", json::array()}};
  older["digest"] = gateway::publish::locator_digest(older);
  older["last_change"] = "2001-01-01T00:00:00.000Z";
  r = put(id, older.dump());
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(portal_locators(testing::kExA).at(id), a.begin()->second);
  // Pages for resynchronisation: only the caller's facility.
  r = node_call("gateway-a", "GET", "/api/gw/v1/locators?limit=1000");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["items"].size(), a.size());
  EXPECT_EQ(node_call("gateway-a", "GET", "/api/gw/v1/locators?limit=0").status, 400);
  auto bad_after = node_call("gateway-a", "GET", "/api/gw/v1/locators?after=%FF");
  EXPECT_EQ(bad_after.status, 400) << bad_after.body;
  EXPECT_NE(bad_after.body.find("'after'"), std::string::npos) << bad_after.body;
}

TEST_F(Locators, TheSummaryComesFromTheLocatorsForAllowedCategoriesOnly) {
  ASSERT_TRUE(
      testing::poll_until([] { return net->published(*net->gw_a) && net->published(*net->gw_b); },
                          std::chrono::seconds(180)));
  auto dr = net->login(0, "dr-clinic");
  const std::string pid = net->shared_person(dr);
  ASSERT_FALSE(pid.empty());
  const auto a = portal_locators(testing::kExA), b = portal_locators(testing::kExB);
  auto summary = json::parse(dr.get("/api/v1/persons/" + pid).body);
  ASSERT_EQ(summary["facilities"].size(), 2u) << summary.dump();
  for (const auto& f : summary["facilities"]) {
    std::string local_id;
    for (const auto& i : summary["identifiers"]) {
      if (i["facility_oid"] == f["oid"])
        local_id = i["local_id"];
    }
    const auto& held = (f["oid"] == testing::kExA ? a : b).at(local_id).first["categories"];
    ASSERT_TRUE(f["locator"].is_object()) << f.dump();
    ASSERT_TRUE(held.contains("encounters")) << held.dump();
    const json& visits = f["locator"]["categories"]["encounters"];
    EXPECT_EQ(visits["count"], held["encounters"]["count"]);
    EXPECT_EQ(visits["first"], held["encounters"]["first"]);
    EXPECT_EQ(visits["last"], held["encounters"]["last"]);
  }
  // A pharmacist may not see encounters or lab results: their counts are not disclosed
  // either; what the locator shows is within what the pharmacist may see.
  auto ph = net->login(0, "ph-sakura");
  auto ps = json::parse(ph.get("/api/v1/persons/" + pid).body);
  ASSERT_FALSE(ps["facilities"].empty()) << ps.dump();
  for (const auto& f : ps["facilities"]) {
    const std::set<std::string> allowed(f["categories"].begin(), f["categories"].end());
    EXPECT_FALSE(allowed.contains("encounters"));
    EXPECT_TRUE(allowed.contains("prescriptions"));
    for (const auto& [name, c] : f["locator"]["categories"].items())
      EXPECT_TRUE(allowed.contains(name)) << name;
    EXPECT_FALSE(f["locator"]["categories"].contains("encounters"));
    EXPECT_FALSE(f["locator"]["categories"].contains("lab_results"));
  }
}

TEST_F(Locators, AFacilityHoldingNothingIsSkippedButOneWithoutALocatorIsAsked) {
  auto dr = net->login(0, "dr-clinic");
  const std::string pid = net->shared_person(dr);
  auto ids = json::parse(dr.get("/api/v1/persons/" + pid).body)["identifiers"];
  std::string b_id;
  for (const auto& i : ids) {
    if (i["facility_oid"] == testing::kExB)
      b_id = i["local_id"];
  }
  ASSERT_FALSE(b_id.empty());
  pg::Pool pool({.conninfo = net->db, .size = 1});
  auto set_b = [&](const std::string& sql) {
    pg::transact_void(pool, [&](pg::Tx& tx) { tx.raw().exec_params(sql, testing::kExB, b_id); });
  };
  ::kill(net->gw_b->child().pid(), SIGSTOP);  // any call to B would time out
  set_b(
      "UPDATE locators SET content = jsonb_set(content, '{categories}', "
      "(content->'categories') - 'lab_results') WHERE facility_oid = $1 AND local_id = $2");
  auto skipped = json::parse(dr.get("/api/v1/persons/" + pid + "/lab_results").body);
  set_b("DELETE FROM locators WHERE facility_oid = $1 AND local_id = $2");
  auto asked = json::parse(dr.get("/api/v1/persons/" + pid + "/lab_results").body);
  ::kill(net->gw_b->child().pid(), SIGCONT);
  EXPECT_TRUE(skipped["missing"].empty()) << skipped.dump();
  ASSERT_EQ(asked["missing"].size(), 1u) << asked.dump();
  EXPECT_EQ(asked["missing"][0]["facility_oid"], testing::kExB);
  // B's resynchronisation puts its entry back.
  net->gw_b->child().kill9();
  net->gw_b->restart();
  ASSERT_TRUE(
      testing::poll_until([] { return net->published(*net->gw_b); }, std::chrono::seconds(180)));
  expect_equal(portal_locators(testing::kExB), index_locators(net->dir_b));
}

TEST_F(Locators, TwoPortalsOnOneDatabaseBehaveAsOne) {
  // Each gateway was acknowledged by its own portal (A by 1, B by 2).
  ASSERT_TRUE(
      testing::poll_until([] { return net->published(*net->gw_a) && net->published(*net->gw_b); },
                          std::chrono::seconds(180)));
  EXPECT_FALSE(portal_locators(testing::kExB).empty());
  // A session made on portal 1 works on portal 2.
  auto dr = net->login(0, "dr-clinic");
  const std::string pid = net->shared_person(dr);
  const int views_before =
      count_rows("SELECT count(*) FROM audit_log WHERE actor_user = 'dr-clinic'");
  EXPECT_EQ(dr.get("/api/v1/persons/" + pid).status, 200);
  auto on_2 = dr.on(1);
  auto r = on_2.get("/api/v1/persons/" + pid + "/encounters");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(json::parse(r.body)["missing"].empty()) << r.body;
  EXPECT_EQ(on_2.get("/api/v1/persons/" + pid).status, 200);
  EXPECT_GE(count_rows("SELECT count(*) FROM audit_log WHERE actor_user = 'dr-clinic'"),
            views_before + 3);
  // Both processes appended to one chain: it verifies.
  testing::run_checked({"env", "HAREYAKA_DB=" + net->db,
                        testing::binary_path("portal/audit/hareyaka-audit-verify")});
  // Logging out on portal 2 ends the session on portal 1 too.
  EXPECT_EQ(on_2.logout(), 204);
  EXPECT_EQ(dr.get("/api/v1/persons/" + pid).status, 401);
}

}  // namespace
}  // namespace hareyaka
