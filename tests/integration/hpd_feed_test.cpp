// The portal as an HPD feed source, end to end with real daemons on loopback and a real
// PostgreSQL: facilities and users added through the admin HTTP API, by CSV import and by
// ITI-59 feeds received by the portal reach a connected system (a second HPD endpoint,
// tests/integration/hpd_peer.*) through ITI-59 feeds, also across an outage of that system
// (nothing lost, nothing sent twice), with the delivery state in the admin API; the CSV dry
// run reports each error and changes nothing; two portals on one database send each change
// once; many changes of one entity go out as one operation and leave one row in
// directory_changes. (The gateway's directory pull: hpd_feed_gateway_test.cpp; a change the
// system refuses for good: hpd_feed_rejected_test.cpp.)
#include <gtest/gtest.h>
#include <iconv.h>

#include <fstream>
#include <pqxx/pqxx>

#include "portal/hpd_feed/dsml_feed_codec.hpp"
#include "tests/integration/hpd_feed_network.hpp"
#include "tests/support/dev_pki.hpp"

namespace hareyaka {
namespace {

using nlohmann::json;
using testing::body_of;
using testing::Browser;
using testing::HpdPeer;
using namespace testing::feed;

TEST(HpdFeed, AdminChangesReachTheConnectedSystemAcrossAnOutage) {
  auto& n = net();
  auto r = n.admin->call("POST", "/api/v1/admin/connected-systems",
                         {{"name", "隣接ディレクトリ"}, {"url", n.peer->url()}});
  ASSERT_EQ(r.status, 201) << r.body;
  first_system() = body_of(r)["id"].get<std::int64_t>();
  EXPECT_EQ(body_of(r)["pending"], 0);
  EXPECT_EQ(
      n.admin->call("POST", "/api/v1/admin/connected-systems", {{"name", "x"}, {"url", "http://a"}})
          .status,
      422);

  const auto oid1 = add_facility("2000001", "晴れ診療所")["oid"].get<std::string>();
  add_user("dr-hare", oid1);
  ASSERT_TRUE(testing::poll_until([&] { return n.peer->has(hpd::user_dn(kDit, "dr-hare")); },
                                  std::chrono::seconds(30)))
      << n.portal->log();
  EXPECT_TRUE(n.peer->has(hpd::facility_dn(kDit, oid1)));
  EXPECT_EQ(n.peer->attribute(hpd::user_dn(kDit, "dr-hare"), "displayName"), "医師 dr-hare");
  ASSERT_TRUE(testing::poll_until([&] { return system_state(first_system())["pending"] == 0; },
                                  std::chrono::seconds(30)))
      << system_state(first_system()).dump();
  EXPECT_FALSE(system_state(first_system())["last_success"].is_null());

  // The system goes down: changes wait in the outbox, the console shows them pending.
  n.peer->stop();
  const auto oid2 = add_facility("2000002", "雨上がり薬局")["oid"].get<std::string>();
  add_user("ph-ame", oid2);
  r = n.admin->call("PUT", "/api/v1/admin/users/dr-hare", {{"display_name", "医師 晴子"}});
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_TRUE(testing::poll_until(
      [&] {
        auto s = system_state(first_system());
        return s["pending"].get<int>() >= 3 && !s["last_error"].is_null() &&
               s["failures"].get<int>() >= 2;
      },
      std::chrono::seconds(30)))
      << system_state(first_system()).dump() << n.portal->log();
  auto waiting = system_state(first_system());
  EXPECT_FALSE(waiting["oldest_pending"].is_null());
  EXPECT_FALSE(n.peer->has(hpd::facility_dn(kDit, oid2)));

  // Back up, at a new address the secretariat enters: the outbox drains in order, nothing
  // lost, nothing sent twice.
  n.peer->start();
  r = n.admin->call("PUT", "/api/v1/admin/connected-systems/" + std::to_string(first_system()),
                    {{"url", n.peer->url()}});
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_TRUE(testing::poll_until([&] { return system_state(first_system())["pending"] == 0; },
                                  std::chrono::seconds(30)))
      << system_state(first_system()).dump() << n.portal->log();
  EXPECT_TRUE(n.peer->has(hpd::facility_dn(kDit, oid2)));
  EXPECT_TRUE(n.peer->has(hpd::user_dn(kDit, "ph-ame")));
  EXPECT_EQ(n.peer->attribute(hpd::user_dn(kDit, "dr-hare"), "displayName"), "医師 晴子");
  for (const auto& dn : {hpd::facility_dn(kDit, oid1), hpd::facility_dn(kDit, oid2),
                         hpd::user_dn(kDit, "dr-hare"), hpd::user_dn(kDit, "ph-ame")}) {
    EXPECT_EQ(n.peer->adds(dn), 1) << dn;
  }
  auto healed = system_state(first_system());
  EXPECT_EQ(healed["failures"], 0);
  EXPECT_FALSE(healed["last_success"].is_null());
  EXPECT_EQ(n.peer->schema_errors(), std::vector<std::string>{});
}

json import(const std::string& what, const std::string& mode, const std::string& csv,
            int expect_status) {
  // The console sends the file as it is.
  auto r =
      net().admin->send("POST", "/api/v1/admin/import/" + what + "?mode=" + mode, csv, "text/csv");
  EXPECT_EQ(r.status, expect_status) << r.body;
  return body_of(r);
}

std::string to_cp932(const std::string& utf8) {
  iconv_t cd = iconv_open("CP932", "UTF-8");
  std::string out(utf8.size() * 2 + 8, '\0');
  char* in = const_cast<char*>(utf8.data());
  std::size_t in_left = utf8.size(), out_left = out.size();
  char* dst = out.data();
  const auto rc = iconv(cd, &in, &in_left, &dst, &out_left);
  iconv_close(cd);
  if (rc == static_cast<std::size_t>(-1))
    throw std::runtime_error("iconv to CP932 failed");
  out.resize(out.size() - out_left);
  return out;
}

std::vector<std::tuple<int, std::string>> error_cells(const json& report) {
  std::vector<std::tuple<int, std::string>> out;
  for (const auto& e : report["errors"])
    out.emplace_back(e["row"].get<int>(), e["column"].get<std::string>());
  return out;
}

std::int64_t users_named(const std::string& q) {
  auto r = net().admin->call("GET", "/api/v1/admin/users?q=" + q);
  return static_cast<std::int64_t>(body_of(r)["items"].size());
}

TEST(HpdFeed, CsvDryRunReportsEveryErrorAndChangesNothing) {
  const std::string facilities = "\xEF\xBB\xBFoid,name,kind,municipality,views\r\n" +
                                 oid("3000001") + ",青空病院,病院,332011,true\r\n" +
                                 oid("03000002") + ",bad,clinic,,\r\n" + oid("3000003") +
                                 ",,dentist_office,,\r\n" + oid("3000001") + ",dup,clinic,,\r\n" +
                                 oid("2000001") + ",晴れ診療所,clinic,,\r\n";
  auto report = import("facilities", "dry_run", facilities, 200);
  EXPECT_EQ(report["encoding"], "UTF-8");
  using Cells = std::vector<std::tuple<int, std::string>>;
  EXPECT_EQ(error_cells(report), (Cells{{3, "oid"}, {4, "name"}, {4, "kind"}, {5, "oid"}}))
      << report.dump(1);
  EXPECT_NE(report["errors"][3]["reason"].get<std::string>().find("row 2"), std::string::npos);
  ASSERT_EQ(report["rows"].size(), 5u);
  EXPECT_EQ(report["rows"][0]["action"], "create");
  EXPECT_EQ(report["rows"][1]["action"], "error");
  EXPECT_EQ(report["rows"][4]["action"], "unchanged");
  EXPECT_EQ(report["summary"]["create"], 1);

  // Apply with errors: refused, nothing written.
  report = import("facilities", "apply", facilities, 422);
  EXPECT_FALSE(report["applied"].get<bool>());
  EXPECT_EQ(net().admin->call("GET", "/api/v1/admin/facilities/" + oid("3000001")).status, 404);

  // Columns: a missing key column and an unknown one are errors of row 1.
  report = import("facilities", "dry_run", "name,kind,colour\nX,clinic,red\n", 200);
  ASSERT_GE(report["errors"].size(), 2u);
  EXPECT_EQ(error_cells(report)[0], std::make_tuple(1, std::string("colour")));
  EXPECT_EQ(error_cells(report)[1], std::make_tuple(1, std::string("oid")));

  const std::string users =
      "login_id,display_name,facility_oid,profession,password\n"
      "nurse-a,看護 一子," +
      oid("2000001") +
      ",看護師,\n"
      "bad id!,x," +
      oid("2000001") +
      ",doctor,\n"
      "dr-b,医師 二郎," +
      oid("7777777") +
      ",doctor,\n"
      "dr-c,医師 三郎," +
      oid("2000001") +
      ",wizard,\n"
      "nurse-a,dup," +
      oid("2000001") +
      ",nurse,\n"
      "dr-d,医師 四郎," +
      oid("2000001") + ",doctor,short\n";
  report = import("users", "dry_run", users, 200);
  EXPECT_EQ(error_cells(report), (Cells{{3, "login_id"},
                                        {4, "facility_oid"},
                                        {5, "profession"},
                                        {6, "login_id"},
                                        {7, "password"}}))
      << report.dump(1);
  EXPECT_EQ(report["rows"][0]["action"], "create");
  report = import("users", "apply", users, 422);
  EXPECT_EQ(users_named("nurse-a"), 0);
  EXPECT_EQ(system_state(first_system())["pending"], 0);

  report = import("users", "dry_run", "display_name\nx\n", 200);
  EXPECT_EQ(error_cells(report).at(0), std::make_tuple(1, std::string("login_id")));
}

TEST(HpdFeed, CsvApplyCreatesInOneGoAndFeeds) {
  auto& n = net();
  // Excel on Japanese Windows writes Shift_JIS.
  const std::string facilities = to_cp932(
      "prefecture,code,name,name_kana,kind,municipality,discloses,views\r\n"
      "33,3000001,青空病院,アオゾラビョウイン,病院,332011,いいえ,はい\r\n");
  auto report = import("facilities", "apply", facilities, 200);
  EXPECT_EQ(report["encoding"], "CP932");
  EXPECT_TRUE(report["applied"].get<bool>()) << report.dump(1);
  EXPECT_EQ(report["summary"]["create"], 1);
  auto f = body_of(n.admin->call("GET", "/api/v1/admin/facilities/" + oid("3000001")));
  EXPECT_EQ(f["name"], "青空病院");
  EXPECT_EQ(f["kind"], "hospital");

  const std::string users =
      "\xEF\xBB\xBFlogin_id,display_name,facility_oid,profession,status\n"
      "nurse-a,看護 一子," +
      oid("3000001") +
      ",看護師,active\n"
      "dr-hare,医師 晴子," +
      oid("2000001") + ",doctor,active\n";
  report = import("users", "apply", users, 200);
  EXPECT_TRUE(report["applied"].get<bool>()) << report.dump(1);
  EXPECT_EQ(report["summary"]["create"], 1);
  EXPECT_EQ(report["summary"]["unchanged"], 1);
  EXPECT_EQ(users_named("nurse-a"), 1);

  ASSERT_TRUE(testing::poll_until(
      [&] {
        return n.peer->has(hpd::user_dn(kDit, "nurse-a")) &&
               system_state(first_system())["pending"] == 0;
      },
      std::chrono::seconds(30)))
      << system_state(first_system()).dump();
  EXPECT_TRUE(n.peer->has(hpd::facility_dn(kDit, oid("3000001"))));
  EXPECT_EQ(n.peer->adds(hpd::user_dn(kDit, "nurse-a")), 1);
  EXPECT_EQ(n.peer->adds(hpd::facility_dn(kDit, oid("3000001"))), 1);

  // The same sheet again changes nothing.
  report = import("users", "dry_run", users, 200);
  EXPECT_EQ(report["summary"]["unchanged"], 2);
}

TEST(HpdFeed, AnIti59FeedReceivedByThePortalIsPassedOn) {
  auto& n = net();
  // Another directory feeds the portal (ITI-59 to /hpd); the portal passes the change on.
  hpd::Facility f;
  f.oid = oid("4000001");
  f.name_kanji = "虹の薬局";
  f.kind = hpd::FacilityKind::kPharmacy;
  f.views = true;
  hpd::User u;
  u.login_id = "iti59-ph";
  u.display_name = "薬剤師 虹子";
  u.facility_oid = f.oid;
  u.profession = hpd::Profession::kPharmacist;
  const hpd_feed::DsmlFeedCodec codec(kDit);
  const std::string url = n.portal->url("nodes", "/hpd");
  auto feed = codec.request({{.outbox_id = 1,
                              .entity = hpd_feed::FeedEntity::kFacility,
                              .op = hpd_feed::FeedOp::kAdd,
                              .key = f.oid,
                              .facility = f},
                             {.outbox_id = 2,
                              .entity = hpd_feed::FeedEntity::kUser,
                              .op = hpd_feed::FeedOp::kAdd,
                              .key = u.login_id,
                              .user = u,
                              .user_facility = f}},
                            url, "urn:uuid:7d0c6b1e-2f0a-4c55-9a43-3e0b7d2a0001");
  http::BlockingHttpClient client(
      http::ClientSettings{.tls = {.ca_file = testing::dev_pki().ca(),
                                   .cert_file = testing::dev_pki().cert("client"),
                                   .key_file = testing::dev_pki().key("client")}});
  auto r = client.request({.method = "POST",
                           .url = url,
                           .headers = {{"Content-Type",
                                        "application/soap+xml; charset=UTF-8; "
                                        "action=\"urn:ihe:iti:2010:ProviderInformationFeed\""}},
                           .body = feed.body});
  ASSERT_EQ(r.status, 200) << r.body;
  auto results = codec.results(r.body, feed);
  ASSERT_EQ(results.size(), 2u) << r.body;
  EXPECT_EQ(results[0].result_code, 0) << results[0].message;
  EXPECT_EQ(results[1].result_code, 0) << results[1].message;

  ASSERT_TRUE(testing::poll_until(
      [&] {
        return n.peer->has(hpd::user_dn(kDit, "iti59-ph")) &&
               system_state(first_system())["pending"] == 0;
      },
      std::chrono::seconds(30)))
      << system_state(first_system()).dump();
  EXPECT_TRUE(n.peer->has(hpd::facility_dn(kDit, f.oid)));
  EXPECT_EQ(n.peer->attribute(hpd::user_dn(kDit, "iti59-ph"), "displayName"), "薬剤師 虹子");
  EXPECT_EQ(n.peer->attribute(hpd::user_dn(kDit, "iti59-ph"), "hpdProviderStatus"), "Active");

  // The portal's own directory takes the modify the feed source writes for a facility.
  f.name_kanji = "虹の薬局 本店";
  auto mod = codec.request({{.outbox_id = 4,
                             .entity = hpd_feed::FeedEntity::kFacility,
                             .op = hpd_feed::FeedOp::kModify,
                             .key = f.oid,
                             .facility = f}},
                           url, "urn:uuid:7d0c6b1e-2f0a-4c55-9a43-3e0b7d2a0003");
  r = client.request({.method = "POST",
                      .url = url,
                      .headers = {{"Content-Type",
                                   "application/soap+xml; charset=UTF-8; "
                                   "action=\"urn:ihe:iti:2010:ProviderInformationFeed\""}},
                      .body = mod.body});
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(codec.results(r.body, mod).at(0).result_code, 0) << r.body;
  EXPECT_EQ(body_of(n.admin->call("GET", "/api/v1/admin/facilities/" + f.oid))["name"],
            "虹の薬局 本店");

  // A delRequest received by the portal retires the user (users stay for the audit): the
  // connected system learns the new status.
  auto del = codec.request({{.outbox_id = 3,
                             .entity = hpd_feed::FeedEntity::kUser,
                             .op = hpd_feed::FeedOp::kDelete,
                             .key = u.login_id}},
                           url, "urn:uuid:7d0c6b1e-2f0a-4c55-9a43-3e0b7d2a0002");
  r = client.request({.method = "POST",
                      .url = url,
                      .headers = {{"Content-Type",
                                   "application/soap+xml; charset=UTF-8; "
                                   "action=\"urn:ihe:iti:2010:ProviderInformationFeed\""}},
                      .body = del.body});
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(codec.results(r.body, del).at(0).result_code, 0) << r.body;
  ASSERT_TRUE(testing::poll_until(
      [&] {
        return n.peer->attribute(hpd::user_dn(kDit, "iti59-ph"), "hpdProviderStatus") == "Retired";
      },
      std::chrono::seconds(30)))
      << system_state(first_system()).dump();
}

std::int64_t directory_version() {
  pqxx::connection c(net().db);
  pqxx::work w(c);
  return w.exec1("SELECT coalesce(max(version), 0) FROM directory_changes")[0].as<std::int64_t>();
}

TEST(HpdFeed, ADeletedEntryIsDeletedThere) {
  auto& n = net();
  const auto gone = add_facility("5000001", "閉院予定クリニック")["oid"].get<std::string>();
  ASSERT_TRUE(testing::poll_until([&] { return n.peer->has(hpd::facility_dn(kDit, gone)); },
                                  std::chrono::seconds(30)));
  // The console retires facilities; an operator removing a mistaken row by SQL is the
  // delete path: the trigger queues a delRequest like any other change.
  {
    pqxx::connection c(n.db);
    pqxx::work w(c);
    w.exec_params("DELETE FROM facilities WHERE oid = $1", gone);
    w.commit();
  }
  ASSERT_TRUE(testing::poll_until([&] { return !n.peer->has(hpd::facility_dn(kDit, gone)); },
                                  std::chrono::seconds(30)))
      << system_state(first_system()).dump();
  EXPECT_EQ(system_state(first_system())["pending"], 0);
}

TEST(HpdFeed, ASystemAddedLaterGetsTheWholeDirectoryOnResync) {
  auto& n = net();
  HpdPeer later;
  auto r = n.admin->call("POST", "/api/v1/admin/connected-systems",
                         {{"name", "後から接続"}, {"url", later.url()}});
  ASSERT_EQ(r.status, 201) << r.body;
  const auto id = body_of(r)["id"].get<std::int64_t>();
  r = n.admin->call("POST", "/api/v1/admin/connected-systems/" + std::to_string(id) + "/resync");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_GE(body_of(r)["queued"].get<int>(), 8);
  ASSERT_TRUE(testing::poll_until([&] { return system_state(id)["pending"] == 0; },
                                  std::chrono::seconds(30)))
      << system_state(id).dump();
  EXPECT_TRUE(later.has(hpd::facility_dn(kDit, oid("2000001"))));
  EXPECT_TRUE(later.has(hpd::user_dn(kDit, "dr-hare")));
  EXPECT_TRUE(later.has(hpd::user_dn(kDit, "nurse-a")));
  EXPECT_EQ(later.attribute(hpd::user_dn(kDit, "dr-hare"), "displayName"), "医師 晴子");

  // Again (a repair): the system has everything; the adds become modifies, nothing fails.
  const int before = later.requests();
  r = n.admin->call("POST", "/api/v1/admin/connected-systems/" + std::to_string(id) + "/resync");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_TRUE(testing::poll_until([&] { return system_state(id)["pending"] == 0; },
                                  std::chrono::seconds(30)))
      << system_state(id).dump();
  EXPECT_EQ(system_state(id)["failures"], 0);
  EXPECT_LE(later.requests() - before, 4);  // batches, not a request per entry
  // Done with it: its queue goes with it.
  EXPECT_EQ(n.admin->call("DELETE", "/api/v1/admin/connected-systems/" + std::to_string(id)).status,
            200);
}

TEST(HpdFeed, TwoPortalsOnOneDatabaseSendEachChangeOnce) {
  auto& n = net();
  // A second portal replica on the same database: both senders run.
  testing::Daemon second("portal/hareyaka-portal", n.config, "portal-2");

  // A failed login touches the users table but is no directory change: nothing to feed.
  const auto before = directory_version();
  Browser stranger(n.portal->port("web"));
  EXPECT_EQ(stranger.login("nurse-a", "Wrong#Password2026", "").status, 401);
  EXPECT_EQ(directory_version(), before);

  std::vector<std::string> logins;
  for (int i = 0; i < 8; ++i) {
    logins.push_back("multi-" + std::to_string(i));
    add_user(logins.back(), oid("3000001"));
  }
  ASSERT_TRUE(testing::poll_until(
      [&] {
        return system_state(first_system())["pending"] == 0 &&
               n.peer->has(hpd::user_dn(kDit, logins.back()));
      },
      std::chrono::seconds(30)))
      << system_state(first_system()).dump();
  for (const auto& l : logins)
    EXPECT_EQ(n.peer->adds(hpd::user_dn(kDit, l)), 1) << l;
  // Every batchRequest the portal sent in this binary was valid DSMLv2.
  EXPECT_EQ(n.peer->schema_errors(), std::vector<std::string>{});
}

std::int64_t directory_rows(const std::string& entity, const std::string& key) {
  pqxx::connection c(net().db);
  pqxx::work w(c);
  return w
      .exec_params1("SELECT count(*) FROM directory_changes WHERE entity = $1 AND entity_key = $2",
                    entity, key)[0]
      .as<std::int64_t>();
}

TEST(HpdFeed, ManyChangesOfOneEntityGoOutAsOneOperationAndLeaveOneRow) {
  auto& n = net();
  const auto busy = add_facility("7100001", "変更の多い病院")["oid"].get<std::string>();
  const auto dn = hpd::facility_dn(kDit, busy);
  ASSERT_TRUE(testing::poll_until(
      [&] { return n.peer->has(dn) && system_state(first_system())["pending"] == 0; },
      std::chrono::seconds(30)));
  const int modifies_before = n.peer->modifies(dn);
  const int requests_before = n.peer->requests();
  // 50 edits during an outage: 50 rows wait in the outbox, one modify goes out.
  while_paused([&] {
    for (int i = 1; i <= 50; ++i) {
      auto r = n.admin->call("PUT", "/api/v1/admin/facilities/" + busy,
                             {{"name", "変更の多い病院 第" + std::to_string(i) + "版"}});
      ASSERT_EQ(r.status, 200) << r.body;
    }
    EXPECT_EQ(system_state(first_system())["pending"], 50);
  });
  ASSERT_TRUE(testing::poll_until([&] { return system_state(first_system())["pending"] == 0; },
                                  std::chrono::seconds(30)))
      << system_state(first_system()).dump() << n.portal->log();
  EXPECT_EQ(n.peer->modifies(dn) - modifies_before, 1);
  EXPECT_EQ(n.peer->requests() - requests_before, 1);
  EXPECT_EQ(n.peer->attribute(dn, "hcRegisteredName"), "変更の多い病院 第50版");
  EXPECT_EQ(n.peer->adds(dn), 1);
  EXPECT_EQ(system_state(first_system())["failures"], 0);

  // The change log keeps the newest row of each entity only.
  EXPECT_EQ(directory_rows("facility", busy), 1);
  pqxx::connection c(n.db);
  pqxx::work w(c);
  const auto row =
      w.exec1("SELECT count(*), count(DISTINCT (entity, entity_key)) FROM directory_changes");
  EXPECT_EQ(row[0].as<std::int64_t>(), row[1].as<std::int64_t>());
}

// Added and deleted again while paused: the two rows are one delete, which the system that
// never had the entry takes as done; the change log keeps the delete.
TEST(HpdFeed, AnEntityAddedAndDeletedWhilePausedIsNotSent) {
  auto& n = net();
  const std::string brief = oid("7200001");
  while_paused([&] {
    add_facility("7200001", "一瞬の診療所");
    pqxx::connection c(n.db);
    pqxx::work w(c);
    w.exec_params("DELETE FROM facilities WHERE oid = $1", brief);
    w.commit();
  });
  ASSERT_TRUE(testing::poll_until([&] { return system_state(first_system())["pending"] == 0; },
                                  std::chrono::seconds(30)))
      << system_state(first_system()).dump();
  EXPECT_EQ(n.peer->adds(hpd::facility_dn(kDit, brief)), 0);
  EXPECT_FALSE(n.peer->has(hpd::facility_dn(kDit, brief)));
  EXPECT_EQ(system_state(first_system())["failures"], 0);
  EXPECT_EQ(system_state(first_system())["rejected"], 0);
  EXPECT_EQ(directory_rows("facility", brief), 1);
}

}  // namespace
}  // namespace hareyaka
