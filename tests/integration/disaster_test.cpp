// Disaster declarations (issue #20) through the real portal and two real gateways: the
// hospital's gateway A, and a standby (a second hareyaka-gateway process on A's storage as a
// preservation node kept it and `hareyaka-gateway restore` rebuilt it, the same facility OID,
// its own certificate gateway-b) as the secretariat would run
// at the preservation site. With A stopped: no declaration, A's records are missing and
// nothing comes from the standby; a declaration with a wrong pin serves nothing; a
// declaration in force serves A's records to a consented doctor, each labelled preserved with
// its as_of, while an unconsented doctor and a clerk are refused as before; after the end and
// after `until` passes, nothing from the standby. The admin routes' refusals and their audit
// records, and the disclosures' audit detail.
#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "tests/integration/trust_matrix_setup.hpp"
#include "tests/integration/trust_network.hpp"
#include "tests/support/dev_pki.hpp"

namespace hareyaka {
namespace {

using nlohmann::json;
using testing::body_of;
using testing::Browser;
using testing::matrix;
using testing::net;

constexpr const char* kBase = "/api/v1/admin/disaster-declarations";

std::string iso(std::chrono::system_clock::time_point t) {
  const std::time_t s = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Hospital A's gateway preserves its storage at a preservation node (a second process over
// A's storage with A's certificate and the hospital's keys); then `hareyaka-gateway restore`,
// run with the standby's certificate (a reader of A's copy) and the keys the secretariat holds,
// rebuilds the storage the standby serves, verified.
void preserve_and_restore(const std::string& hospital_storage, const std::string& site) {
  namespace fs = std::filesystem;
  const auto& pki = testing::dev_pki();
  testing::run_checked({"sh", "-c",
                        "openssl rand -base64 32 > " + site + "/preserve.key && " +
                            "openssl genpkey -algorithm ed25519 -out " + site +
                            "/preserve-sign.key 2>/dev/null"});
  const std::string node_port = std::to_string(testing::free_loopback_port());
  json nc{{"listener",
           {{"address", "127.0.0.1"},
            {"port", std::stoi(node_port)},
            {"cert_file", pki.cert("preserve-a")},
            {"key_file", pki.key("preserve-a")},
            {"client_auth", "require"},
            {"client_ca_file", pki.ca()}}},
          {"store_dir", site + "/node"},
          {"facilities",
           {{{"oid", testing::kHospitalOid},
             {"writers", {testing::cert_fingerprint(pki.cert("gateway-a"))}},
             {"readers", {testing::cert_fingerprint(pki.cert("gateway-b"))}}}}}};
  testing::Daemon node("preserve/hareyaka-preserve", nc, "preserve-node");
  auto preservation = [&](const std::string& cert) {
    return json{{"keys", {{{"id", "a"}, {"key", {{"file", site + "/preserve.key"}}}}}},
                {"signing_key_file", site + "/preserve-sign.key"},
                {"patients", "all"},
                {"nodes",
                 {{{"name", "site"},
                   {"url", "https://127.0.0.1:" + node_port},
                   {"tls",
                    {{"ca_file", pki.ca()},
                     {"cert_file", pki.cert(cert)},
                     {"key_file", pki.key(cert)}}}}}}};
  };
  json hospital{{"facility_oid", testing::kHospitalOid},
                {"assertion_public_key", pki.dir + "/assertion.pub"},
                {"node_readers", {testing::cert_fingerprint(pki.cert("portal"))}},
                {"listener", testing::dev_listener("gateway-a", 0, "require")},
                {"storage", {{"ssmix2_root", hospital_storage}, {"state_dir", site + "/a-state"}}},
                {"preservation", preservation("gateway-a")}};
  testing::Daemon preserving("gateway/hareyaka-gateway", hospital, "hospital-preserving");
  http::ClientSettings cs;
  cs.tls = {.ca_file = pki.ca(), .cert_file = pki.cert("portal"), .key_file = pki.key("portal")};
  http::BlockingHttpClient client(cs);
  ASSERT_TRUE(testing::poll_until(
      [&] {
        auto r = client.request({.url = preserving.url("nodes", "/gw/v1/preserve/status")});
        if (r.status != 200)
          return false;
        const json n = json::parse(r.body)["nodes"][0];
        return n["pending"] == 0 && n["acknowledged"] > 0;
      },
      std::chrono::seconds(120)))
      << preserving.log();
  // The restore, at the site: the standby's certificate, the hospital's keys.
  json restore_cfg = hospital;
  restore_cfg["listener"] = testing::dev_listener("gateway-b", 0, "require");
  restore_cfg["storage"] = {{"ssmix2_root", site + "/ssmix2"}, {"state_dir", site + "/state"}};
  restore_cfg["preservation"] = preservation("gateway-b");
  const std::string cfg_file = site + "/restore.json";
  std::ofstream(cfg_file) << restore_cfg.dump();
  auto r = testing::run({testing::binary_path("gateway/hareyaka-gateway"), "restore", "--config",
                         cfg_file, "--node", "site", "--into", site + "/ssmix2"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_TRUE(fs::exists(site + "/ssmix2"));
}

// The standby gateway and the logged-in users, started once.
struct Site {
  std::unique_ptr<testing::Daemon> standby;
  std::string standby_pin;
  std::string category;  // a viewer category the generated patient has data in
  std::unique_ptr<Browser> doctor, stranger, clerk;

  static Site& get() {
    static Site s;
    return s;
  }
  Site() {
    auto& m = matrix();  // before gateway A stops: its set-up asks A
    for (const char* c : {"lab_results", "encounters", "prescriptions", "diagnoses"}) {
      if (m.has_data[c]) {
        category = c;
        break;
      }
    }
    namespace fs = std::filesystem;
    const std::string from = net().tmp.path();
    const std::string to = from + "/standby";
    fs::create_directories(to + "/extended");  // documents are not preserved (yet)
    // The standby's storage is what preservation kept: the hospital's gateway preserves to a
    // node, and the secretariat restores from it with the standby's certificate.
    preserve_and_restore(from + "/ssmix2", to);
    json listener = testing::dev_listener("gateway-b", 0, "require");
    listener["address"] = "127.0.0.1";
    json gw{{"facility_oid", testing::kHospitalOid},
            {"assertion_public_key", testing::dev_pki().dir + "/assertion.pub"},
            {"node_readers", {testing::cert_fingerprint(testing::dev_pki().cert("portal"))}},
            {"listener", listener},
            {"storage",
             {{"ssmix2_root", to + "/ssmix2"},
              {"extended_root", to + "/extended"},
              {"state_dir", to + "/state"}}}};
    standby = std::make_unique<testing::Daemon>("gateway/hareyaka-gateway", gw, "standby");
    standby_pin = testing::cert_fingerprint(testing::dev_pki().cert("gateway-b"));
    http::ClientSettings cs;
    cs.tls = {.ca_file = testing::dev_pki().ca(),
              .cert_file = testing::dev_pki().cert("portal"),
              .key_file = testing::dev_pki().key("portal")};
    http::BlockingHttpClient client(cs);
    EXPECT_TRUE(testing::poll_until(
        [&] { return client.request({.url = standby->url("nodes", "/readyz")}).status == 200; },
        std::chrono::seconds(60)))
        << standby->log();
    auto login = [&](const std::string& who) {
      auto b = std::make_unique<Browser>(net().portal->port("web"));
      auto r = b->login(who, testing::kPassword, m.secret);
      EXPECT_EQ(r.status, 200) << who << ": " << r.body;
      return b;
    };
    doctor = login("m.hospital.given.doctor");
    stranger = login("m.hospital.none.doctor");
    clerk = login("m.hospital.given.clerk");
  }
  std::string standby_url() const { return standby->url("nodes", ""); }
  json declaration(const std::string& pin, std::chrono::seconds ahead) const {
    const auto now = std::chrono::system_clock::now();
    return {{"facility_oid", testing::kHospitalOid},
            {"reason", "令和8年 地震: 晴れやか総合病院のサーバ室浸水"},
            {"until", iso(now + ahead)},
            {"standby_url", standby_url()},
            {"standby_cert_sha256", pin},
            {"preserved_as_of", "2026-12-01T03:00:00Z"}};
  }
  // The page of the category for `b`: status and body.
  std::pair<int, json> view(Browser& b) const {
    auto r = b.call("GET", "/api/v1/persons/" + matrix().person_id + "/" + category);
    return {r.status, body_of(r)};
  }
};

// Gateway A as the disaster leaves it: stopped (for the rest of this test binary).
struct GatewayDown {
  GatewayDown() { net().gateway->child().stop(); }
};

int count_audit(const std::string& reason, const std::string& detail_like) {
  constexpr pg::Statement kCount{
      "test_disaster_audit", "SELECT count(*) FROM audit_log WHERE reason = $1 AND detail LIKE $2"};
  int n = 0;
  pg::transact(*net().pool,
               [&](pg::Tx& tx) { n = tx.exec(kCount, reason, detail_like)[0][0].as<int>(); });
  return n;
}

int count_view_audit(const std::string& user, const std::string& detail_like) {
  constexpr pg::Statement kCount{
      "test_disaster_view_audit",
      "SELECT count(*) FROM audit_log WHERE event_type = 'view' AND outcome = 'success' "
      "AND actor_user = $1 AND detail LIKE $2"};
  int n = 0;
  pg::transact(*net().pool,
               [&](pg::Tx& tx) { n = tx.exec(kCount, user, detail_like)[0][0].as<int>(); });
  return n;
}

TEST(Disaster, AdminRoutesRefuseWhatIsWrongAndAuditWhatIsDone) {
  Site& s = Site::get();
  Browser& admin = *net().admin;
  const json good = s.declaration(s.standby_pin, std::chrono::hours(24));
  auto with = [&](const char* field, const json& value) {
    json b = good;
    if (value.is_null())
      b.erase(field);
    else
      b[field] = value;
    return admin.call("POST", kBase, b);
  };
  EXPECT_EQ(s.doctor->call("POST", kBase, good).status, 403);
  EXPECT_EQ(s.doctor->call("GET", kBase).status, 403);
  EXPECT_EQ(admin.call("POST", kBase, good, false).status, 403);  // no CSRF token
  EXPECT_EQ(with("facility_oid", "1.2.392.200284.33.1319999").status, 422);
  EXPECT_EQ(with("reason", nullptr).status, 400);
  EXPECT_EQ(with("reason", "  ").status, 422);
  EXPECT_EQ(with("until", "2020-01-01").status, 422);
  EXPECT_EQ(
      with("until", iso(std::chrono::system_clock::now() + std::chrono::hours(24 * 31))).status,
      422);
  EXPECT_EQ(with("until", "tomorrow").status, 400);
  EXPECT_EQ(with("standby_url", "http://127.0.0.1:1").status, 422);
  EXPECT_EQ(with("standby_url", "https://127.0.0.1:1/gw?x=1").status, 422);
  EXPECT_EQ(with("standby_cert_sha256", "abc").status, 422);
  EXPECT_EQ(
      with("preserved_as_of", iso(std::chrono::system_clock::now() + std::chrono::hours(2))).status,
      422);
  EXPECT_EQ(count_audit("disaster_declare", "%"), 0);

  auto r = admin.call("POST", kBase, good);
  ASSERT_EQ(r.status, 201) << r.body;
  const json d = body_of(r);
  EXPECT_TRUE(d["in_force"].get<bool>());
  EXPECT_EQ(d["preserved_as_of"], "2026-12-01T03:00:00Z");
  EXPECT_EQ(d["declared_by"], testing::kAdminLogin);
  const std::string id = std::to_string(d["id"].get<std::int64_t>());
  auto second = admin.call("POST", kBase, good);
  EXPECT_EQ(second.status, 409) << second.body;
  const json listed = body_of(admin.call("GET", kBase));
  ASSERT_TRUE(listed["items"].is_array());
  ASSERT_FALSE(listed["items"].empty());
  EXPECT_EQ(listed["items"][0]["id"], d["id"]);
  EXPECT_TRUE(listed["items"][0]["in_force"].get<bool>());

  EXPECT_EQ(admin.call("POST", std::string(kBase) + "/" + id + "/end", nullptr, false).status, 403);
  auto ended = admin.call("POST", std::string(kBase) + "/" + id + "/end");
  ASSERT_EQ(ended.status, 200) << ended.body;
  const json e = body_of(ended);
  EXPECT_FALSE(e["in_force"].get<bool>());
  EXPECT_EQ(e["ended_by"], testing::kAdminLogin);
  EXPECT_EQ(admin.call("POST", std::string(kBase) + "/" + id + "/end").status, 409);
  EXPECT_EQ(admin.call("POST", std::string(kBase) + "/999999/end").status, 404);
  EXPECT_EQ(admin.call("POST", std::string(kBase) + "/x/end").status, 404);

  // The table keeps what was declared: no edit, no second end, no deletion.
  constexpr pg::Statement kEdit{"test_disaster_edit",
                                "UPDATE disaster_declarations SET reason = 'x' WHERE id = $1"};
  constexpr pg::Statement kDelete{"test_disaster_delete",
                                  "DELETE FROM disaster_declarations WHERE id = $1"};
  for (const auto* st : {&kEdit, &kDelete}) {
    EXPECT_THROW(pg::transact(*net().pool, [&](pg::Tx& tx) { tx.exec(*st, std::stoll(id)); }),
                 std::exception);
  }

  EXPECT_EQ(count_audit("disaster_declare", "declaration=" + id + " %"), 1);
  EXPECT_EQ(count_audit("disaster_end", "declaration=" + id), 1);
  EXPECT_GE(count_audit("disaster_declarations_read", "%"), 1);
  EXPECT_GE(count_audit("not_admin", "% /api/v1/admin/disaster-declarations"), 2);
}

TEST(Disaster, StandbyServesThePreservedCopyOnlyWhileADeclarationIsInForce) {
  Site& s = Site::get();
  ASSERT_FALSE(s.category.empty()) << "the generated patient has no data";
  Browser& admin = *net().admin;
  GatewayDown down;

  // (a) No declaration, A down: the source is missing, nothing from the standby.
  auto [st, page] = s.view(*s.doctor);
  ASSERT_EQ(st, 200) << page.dump();
  EXPECT_TRUE(page["items"].empty()) << page.dump();
  ASSERT_EQ(page["missing"].size(), 1u) << page.dump();
  EXPECT_FALSE(page["missing"][0].contains("preserved"));

  // A declaration whose pin is not the standby's certificate: nothing is fetched from it.
  auto wrong =
      admin.call("POST", kBase,
                 s.declaration(testing::cert_fingerprint(testing::dev_pki().cert("gateway-a")),
                               std::chrono::hours(1)));
  ASSERT_EQ(wrong.status, 201) << wrong.body;
  const json wrong_d = body_of(wrong);
  std::tie(st, page) = s.view(*s.doctor);
  ASSERT_EQ(st, 200);
  EXPECT_TRUE(page["items"].empty()) << page.dump();
  ASSERT_EQ(page["missing"].size(), 1u) << page.dump();
  EXPECT_EQ(page["missing"][0]["preserved"]["declaration"], wrong_d["id"]);
  ASSERT_EQ(admin
                .call("POST", std::string(kBase) + "/" +
                                  std::to_string(wrong_d["id"].get<std::int64_t>()) + "/end")
                .status,
            200);

  // (b) In force: the consented doctor sees A's records, each labelled preserved.
  auto r = admin.call("POST", kBase, s.declaration(s.standby_pin, std::chrono::hours(1)));
  ASSERT_EQ(r.status, 201) << r.body;
  const json d = body_of(r);
  const std::string id = std::to_string(d["id"].get<std::int64_t>());
  std::tie(st, page) = s.view(*s.doctor);
  ASSERT_EQ(st, 200) << page.dump();
  EXPECT_TRUE(page["missing"].empty()) << page.dump();
  ASSERT_FALSE(page["items"].empty()) << page.dump();
  const json items = page["items"];
  for (const auto& item : items) {
    EXPECT_EQ(item["facility_oid"], testing::kHospitalOid);
    EXPECT_EQ(item["preserved"]["as_of"], "2026-12-01T03:00:00Z") << item.dump();
    EXPECT_EQ(item["preserved"]["declaration"], d["id"]);
  }
  auto summary = s.doctor->call("GET", "/api/v1/persons/" + matrix().person_id);
  ASSERT_EQ(summary.status, 200) << summary.body;
  const json facilities = body_of(summary)["facilities"];
  ASSERT_EQ(facilities.size(), 1u);
  EXPECT_EQ(facilities[0]["preserved"]["as_of"], "2026-12-01T03:00:00Z");
  EXPECT_GE(count_view_audit("m.hospital.given.doctor", "preserved_copy declaration=" + id + " %"),
            1);
  // The decisions are the same: no consent, or a role the policy refuses, sees nothing.
  EXPECT_EQ(s.view(*s.stranger).first, 404);
  auto [clerk_status, clerk_page] = s.view(*s.clerk);
  EXPECT_EQ(clerk_status, 403) << clerk_page.dump();

  // (c) Ended: back to A (down), nothing from the standby.
  ASSERT_EQ(admin.call("POST", std::string(kBase) + "/" + id + "/end").status, 200);
  std::tie(st, page) = s.view(*s.doctor);
  ASSERT_EQ(st, 200);
  EXPECT_TRUE(page["items"].empty()) << page.dump();
  ASSERT_EQ(page["missing"].size(), 1u);
  EXPECT_FALSE(page["missing"][0].contains("preserved"));

  // (c) Expired: a declaration until a few seconds ahead serves, then no more.
  r = admin.call("POST", kBase, s.declaration(s.standby_pin, std::chrono::seconds(4)));
  ASSERT_EQ(r.status, 201) << r.body;
  std::tie(st, page) = s.view(*s.doctor);
  ASSERT_EQ(st, 200);
  EXPECT_FALSE(page["items"].empty()) << page.dump();
  std::this_thread::sleep_for(std::chrono::seconds(5));
  std::tie(st, page) = s.view(*s.doctor);
  ASSERT_EQ(st, 200);
  EXPECT_TRUE(page["items"].empty()) << page.dump();
  EXPECT_FALSE(page["missing"][0].contains("preserved"));
  const json listed = body_of(admin.call("GET", kBase));
  EXPECT_FALSE(listed["items"][0]["in_force"].get<bool>());
  EXPECT_TRUE(listed["items"][0]["ended_at"].is_null());
  // Expired: ending it is a conflict, and a new declaration is allowed.
  EXPECT_EQ(
      admin
          .call("POST", std::string(kBase) + "/" +
                            std::to_string(listed["items"][0]["id"].get<std::int64_t>()) + "/end")
          .status,
      409);
}

}  // namespace
}  // namespace hareyaka
