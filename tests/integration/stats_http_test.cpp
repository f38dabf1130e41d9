// The usage statistics through the real portal's HTTP API on a real PostgreSQL: months of
// view records in the audit chain, the figures a secretariat administrator reads, the
// public export with small cells suppressed, check and rebuild, a prefecture officer who
// reads only the suppressed figures, and a clinician refused (the refusals and every read on
// record).
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "portal/audit/audit_log.hpp"
#include "tests/integration/trust_network.hpp"
#include "tests/support/dev_pki.hpp"

namespace hareyaka {
namespace {

using nlohmann::json;
using testing::body_of;
using testing::Browser;
using testing::net;

constexpr const char* kViewer = "1.2.392.200284.33.2009901";
constexpr const char* kSource = "1.2.392.200284.33.1309901";
constexpr pg::Statement kStatsAudit{
    "t_stats_audit",
    "SELECT actor_user, outcome, reason, detail FROM audit_log "
    "WHERE reason LIKE 'stats_%' OR (reason = 'not_admin' AND detail LIKE '%/stats%') "
    "ORDER BY seq"};

// Views in the first half of 2025 (long before anything else the network records):
// diagnoses for 30 patients a month, imaging for 4 (a small cell).
std::map<std::string, std::pair<int, std::set<int>>> write_months() {
  audit::AuditLog log(*net().pool);
  std::map<std::string, std::pair<int, std::set<int>>> expected;  // month^category
  for (int month = 1; month <= 6; ++month) {
    std::tm tm{};
    tm.tm_year = 125;
    tm.tm_mon = month - 1;
    tm.tm_mday = 10;
    tm.tm_hour = 3;  // 12:00 in Japan
    const auto at = hpd::Clock::from_time_t(timegm(&tm));
    std::vector<audit::AuditEvent> events;
    for (int i = 0; i < 90; ++i) {
      const bool imaging = i % 15 == 0;
      const int patient = imaging ? i % 4 : i % 30;
      audit::AuditEvent e;
      e.type = audit::EventType::kView;
      e.actor_user = "stats.doctor";
      e.actor_profession = "doctor";
      e.actor_facility = kViewer;
      e.person_id = std::to_string(5000 + patient);
      e.patient_authority = std::string(kSource) + ".1";
      e.patient_local_id = "S" + std::to_string(patient);
      e.source_facility = kSource;
      e.category = imaging ? "imaging" : "diagnoses";
      events.push_back(e);
      char key[32];
      std::snprintf(key, sizeof key, "2025-%02d^%s", month, e.category.c_str());
      auto& cell = expected[key];
      ++cell.first;
      cell.second.insert(patient);
    }
    log.append_all(events, at);
  }
  return expected;
}

TEST(StatsHttp, SecretariatReadsExportsChecksAndRebuildsAClinicianIsRefused) {
  Browser& admin = *net().admin;
  const auto expected = write_months();
  const std::string period = "from=2025-01-01&to=2025-06-30";

  auto r = admin.call("GET", "/api/v1/admin/stats?" + period);
  ASSERT_EQ(r.status, 200) << r.body;
  json report = body_of(r);
  EXPECT_EQ(report["period"]["from"], "2025-01-01");
  EXPECT_EQ(report["suppressed"], false);
  std::size_t cells = 0;
  for (const auto& c : report["views_by_category"]) {
    const auto& want =
        expected.at(c["month"].get<std::string>() + "^" + c["category"].get<std::string>());
    EXPECT_EQ(c["views"], want.first) << c.dump();
    EXPECT_EQ(c["patients"], want.second.size()) << c.dump();
    ++cells;
  }
  EXPECT_EQ(cells, expected.size());
  ASSERT_EQ(report["views_by_source"].size(), 6u);
  EXPECT_EQ(report["views_by_source"][0]["facility_oid"], kSource);
  EXPECT_EQ(report["views_by_source"][0]["views"], 90);

  // The public export: CSV, imaging (4 patients) suppressed, diagnoses (30) shown.
  auto csv = admin.call("GET", "/api/v1/admin/stats/export?format=csv&" + period);
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.headers["Content-Type"], "text/csv; charset=utf-8");
  EXPECT_NE(csv.headers["Content-Disposition"].find("hareyaka-stats-public-2025-01-01"),
            std::string::npos);
  EXPECT_NE(csv.body.find("views_by_category,2025-03,diagnoses,,,,,,84,28,,,,,,,\r\n"),
            std::string::npos)
      << csv.body;
  EXPECT_NE(csv.body.find("views_by_category,2025-03,imaging,,,,,,,,true,,,,,,\r\n"),
            std::string::npos)
      << csv.body;
  auto open = body_of(admin.call("GET", "/api/v1/admin/stats/export?format=json&" + period));
  EXPECT_EQ(open["scope"], "public");
  for (const auto& c : open["views_by_category"]) {
    if (c["category"] == "imaging")
      EXPECT_TRUE(c["views"].is_null()) << c.dump();
    else
      EXPECT_EQ(c["views"], 84) << c.dump();
  }
  auto internal =
      body_of(admin.call("GET", "/api/v1/admin/stats/export?format=json&scope=internal&" + period));
  EXPECT_EQ(internal["views_by_category"], report["views_by_category"]);
  EXPECT_EQ(admin.call("GET", "/api/v1/admin/stats?from=2025-13-01").status, 400);
  EXPECT_EQ(admin.call("GET", "/api/v1/admin/stats/export?format=xml").status, 400);

  // Check against a recount, and a rebuild from the first record.
  auto check = body_of(admin.call("POST", "/api/v1/admin/stats/check", json::object()));
  EXPECT_EQ(check["ok"], true) << check.dump();
  auto rebuilt = body_of(admin.call("POST", "/api/v1/admin/stats/rebuild", json::object()));
  EXPECT_GE(rebuilt["records"].get<std::int64_t>(), 540);
  EXPECT_EQ(body_of(admin.call("GET", "/api/v1/admin/stats?" + period))["views_by_category"],
            report["views_by_category"]);
  EXPECT_EQ(admin.call("POST", "/api/v1/admin/stats/check", json::object(), false).status, 403)
      << "a state-changing call without the CSRF token";

  // The same counters for the operations dashboards, on /metrics (published by the rollup).
  // /metrics is on the node listener only, for the certificates in metrics_readers: the
  // operators' monitoring may scrape it, a gateway may not (the network's use is in it).
  auto scraper_as = [](const std::string& node) {
    http::ClientSettings s;
    s.tls = {.ca_file = hareyaka::testing::dev_pki().ca(),
             .cert_file = hareyaka::testing::dev_pki().cert(node),
             .key_file = hareyaka::testing::dev_pki().key(node)};
    return s;
  };
  http::BlockingHttpClient gateway(scraper_as("gateway-a"));
  EXPECT_EQ(gateway.request({.url = net().portal->url("nodes", "/metrics")}).status, 403);
  http::BlockingHttpClient node(scraper_as("client"));
  auto metrics = node.request({.url = net().portal->url("nodes", "/metrics")});
  ASSERT_EQ(metrics.status, 200) << metrics.body;
  EXPECT_NE(metrics.body.find("hareyaka_stats_views_total{category=\"imaging\"} 36\n"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("hareyaka_stats_views_total{category=\"diagnoses\"} 504\n"),
            std::string::npos);

  // Not for clinicians, and not without a session.
  testing::add_user("stats-clinician", testing::clinic(), "doctor");
  Browser doctor(net().portal->port("web"));
  testing::enrol(doctor, "stats-clinician");
  EXPECT_EQ(doctor.call("GET", "/api/v1/admin/stats?" + period).status, 403);
  EXPECT_EQ(doctor.call("GET", "/api/v1/admin/stats/export?format=csv").status, 403);
  EXPECT_EQ(Browser(net().portal->port("web")).call("GET", "/api/v1/admin/stats").status, 401);

  // The prefecture officer: the statistics page only, with small cells suppressed whatever
  // it asks, the public export only, nothing that changes the rollup.
  testing::add_user("stats-officer", testing::clinic(), "prefecture_officer");
  Browser officer(net().portal->port("web"));
  testing::enrol(officer, "stats-officer");
  EXPECT_EQ(body_of(officer.call("GET", "/api/v1/session"))["user"]["roles"],
            json::array({"stats"}));
  auto seen_by_officer = officer.call("GET", "/api/v1/admin/stats?" + period);
  ASSERT_EQ(seen_by_officer.status, 200) << seen_by_officer.body;
  EXPECT_EQ(body_of(seen_by_officer)["suppressed"], true);
  EXPECT_EQ(body_of(seen_by_officer)["views_by_category"], open["views_by_category"]);
  EXPECT_EQ(officer.call("GET", "/api/v1/admin/stats?suppress=false&" + period).status, 403);
  EXPECT_EQ(officer.call("GET", "/api/v1/admin/stats/export?format=csv&" + period).status, 200);
  EXPECT_EQ(officer.call("GET", "/api/v1/admin/stats/export?scope=internal&" + period).status, 403);
  EXPECT_EQ(officer.call("POST", "/api/v1/admin/stats/rebuild", json::object()).status, 403);
  EXPECT_EQ(officer.call("GET", "/api/v1/admin/facilities").status, 403);

  EXPECT_EQ(officer.call("GET", "/api/v1/admin/municipalities").status, 403);

  // The municipalities the figures are grouped by: Okayama's and Hiroshima's to start with;
  // a PUT replaces one prefecture's rows (the check digit checked, or added to 5 digits).
  auto towns = body_of(admin.call("GET", "/api/v1/admin/municipalities"));
  std::map<std::string, std::string> area_of;
  for (const auto& m : towns["items"])
    area_of[m["code"].get<std::string>()] = m["area_name"].get<std::string>();
  EXPECT_EQ(area_of.at("331015"), "県南東部");    // 岡山市北区
  EXPECT_EQ(area_of.at("342076"), "福山・府中");  // 福山市
  const json tottori = {{"items",
                         {{{"code", "31201"},
                           {"name", "鳥取市"},
                           {"prefecture", "鳥取県"},
                           {"area_code", "3101"},
                           {"area_name", "東部"}}}}};
  auto put = admin.call("PUT", "/api/v1/admin/municipalities", tottori);
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(body_of(put)["items"].size(), towns["items"].size() + 1);
  json bad = tottori;
  bad["items"][0]["code"] = "312010";  // 鳥取市 is 312011
  auto refused = admin.call("PUT", "/api/v1/admin/municipalities", bad);
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_NE(refused.body.find("312011"), std::string::npos) << refused.body;
  EXPECT_NE(refused.body.find("312010"), std::string::npos) << refused.body;

  // Every read, export, check and rebuild is on record, and so are the refusals.
  auto rows = pg::transact(*net().pool, [](pg::Tx& tx) { return tx.exec(kStatsAudit); });
  std::multiset<std::string> seen;
  for (const auto& row : rows) {
    seen.insert(row[0].as<std::string>() + " " + row[1].as<std::string>() + " " +
                row[2].as<std::string>());
  }
  const std::string a = testing::kAdminLogin;
  EXPECT_EQ(seen.count(a + " success stats_read"), 2u);
  EXPECT_EQ(seen.count(a + " success stats_export"), 3u);
  EXPECT_EQ(seen.count(a + " success stats_check"), 1u);
  EXPECT_EQ(seen.count(a + " success stats_rebuild"), 1u);
  EXPECT_EQ(seen.count("stats-clinician denied not_admin"), 2u);
  EXPECT_EQ(seen.count("stats-officer success stats_read"), 1u);
  EXPECT_EQ(seen.count("stats-officer success stats_export"), 1u);
  EXPECT_EQ(seen.count("stats-officer denied not_admin"), 3u);
}

}  // namespace
}  // namespace hareyaka
