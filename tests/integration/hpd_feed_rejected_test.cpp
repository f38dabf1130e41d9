// A change the connected system refuses for good, end to end with real daemons on loopback
// and a real PostgreSQL (the network of hpd_feed_network.*): it is set aside without holding
// up the rest of the queue, listed newest first a page at a time, re-queued (delivered once)
// or dismissed (the peer keeps what it had), and gone once a later change of that entry is
// delivered; a transient answer keeps the change and backs off as an outage does.
#include <gtest/gtest.h>

#include "tests/integration/hpd_feed_network.hpp"

namespace hareyaka {
namespace {

using nlohmann::json;
using testing::body_of;
using namespace testing::feed;

// The peer registered as the first system with what the first test of hpd_feed_test leaves
// there: dr-hare (display name 医師 晴子) and ph-ame, each with a facility, delivered.
void connect_peer() {
  auto& n = net();
  auto r = n.admin->call("POST", "/api/v1/admin/connected-systems",
                         {{"name", "隣接ディレクトリ"}, {"url", n.peer->url()}});
  ASSERT_EQ(r.status, 201) << r.body;
  const json created = body_of(r);
  first_system() = created["id"].get<std::int64_t>();
  const auto oid1 = add_facility("2000001", "晴れ診療所")["oid"].get<std::string>();
  ASSERT_NO_FATAL_FAILURE(add_user("dr-hare", oid1));
  const auto oid2 = add_facility("2000002", "雨上がり薬局")["oid"].get<std::string>();
  ASSERT_NO_FATAL_FAILURE(add_user("ph-ame", oid2));
  r = n.admin->call("PUT", "/api/v1/admin/users/dr-hare", {{"display_name", "医師 晴子"}});
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_TRUE(testing::poll_until(
      [&] {
        return system_state(first_system())["pending"] == 0 &&
               n.peer->has(hpd::user_dn(kDit, "ph-ame")) &&
               n.peer->attribute(hpd::user_dn(kDit, "dr-hare"), "displayName") == "医師 晴子";
      },
      std::chrono::seconds(30)))
      << system_state(first_system()).dump() << n.portal->log();
}

json rejected_page(std::int64_t id, const std::string& query = "") {
  auto r = net().admin->call("GET", system_path(id, "/rejected" + query));
  EXPECT_EQ(r.status, 200) << r.body;
  return body_of(r);
}

bool audited(const std::string& reason, const std::string& detail_part) {
  auto r =
      net().admin->call("GET", std::string("/api/v1/admin/audit?user=") + kAdmin + "&page_size=50");
  const json body = body_of(r);
  for (const auto& e : body["items"]) {
    if (e.value("reason", "") == reason &&
        e.value("detail", "").find(detail_part) != std::string::npos)
      return true;
  }
  return false;
}

constexpr int kObjectClassViolation = 65;
constexpr int kUnwillingToPerform = 53;

TEST(HpdFeed, ARefusedChangeIsSetAsideAndTheRestOfTheQueueGoesOn) {
  ASSERT_NO_FATAL_FAILURE(connect_peer());
  auto& n = net();
  const std::string refused = oid("7000001");
  n.peer->refuse(hpd::facility_dn(kDit, refused), kObjectClassViolation);
  std::string behind;
  while_paused([&] {
    add_facility("7000001", "拒否される診療所");
    behind = add_facility("7000002", "後ろの薬局")["oid"].get<std::string>();
    add_user("behind-ph", behind);
    EXPECT_GE(system_state(first_system())["pending"].get<int>(), 3);
  });
  ASSERT_TRUE(testing::poll_until(
      [&] {
        auto s = system_state(first_system());
        return s["pending"] == 0 && s["rejected"] == 1;
      },
      std::chrono::seconds(30)))
      << system_state(first_system()).dump() << n.portal->log();
  // The changes behind the refused one were delivered; the system is not waiting out a
  // backoff for it.
  EXPECT_TRUE(n.peer->has(hpd::facility_dn(kDit, behind)));
  EXPECT_TRUE(n.peer->has(hpd::user_dn(kDit, "behind-ph")));
  EXPECT_FALSE(n.peer->has(hpd::facility_dn(kDit, refused)));
  auto st = system_state(first_system());
  EXPECT_EQ(st["failures"], 0) << st.dump();
  EXPECT_FALSE(st["newest_rejected"].is_null());
  EXPECT_NE(n.portal->log().find("HPD feed change refused by the connected system; set aside"),
            std::string::npos);

  auto page = rejected_page(first_system());
  ASSERT_EQ(page["items"].size(), 1u) << page.dump();
  const json item = page["items"][0];
  EXPECT_EQ(item["entity"], "facility");
  EXPECT_EQ(item["key"], refused);
  EXPECT_EQ(item["op"], "add");
  EXPECT_EQ(item["result_code"], kObjectClassViolation);
  EXPECT_EQ(item["message"], "refused by the test peer");
  EXPECT_FALSE(page.contains("next_cursor"));
  const auto rid = item["id"].get<std::int64_t>();

  // The peer's schema is fixed: re-queued, the change is delivered once.
  n.peer->accept(hpd::facility_dn(kDit, refused));
  auto r = n.admin->call(
      "POST", system_path(first_system(), "/rejected/" + std::to_string(rid) + "/requeue"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body_of(r)["rejected"], 0);
  ASSERT_TRUE(testing::poll_until([&] { return n.peer->has(hpd::facility_dn(kDit, refused)); },
                                  std::chrono::seconds(30)))
      << system_state(first_system()).dump() << n.portal->log();
  ASSERT_TRUE(testing::poll_until([&] { return system_state(first_system())["pending"] == 0; },
                                  std::chrono::seconds(30)));
  EXPECT_EQ(n.peer->adds(hpd::facility_dn(kDit, refused)), 1);
  EXPECT_EQ(n.peer->attribute(hpd::facility_dn(kDit, refused), "hcRegisteredName"),
            "拒否される診療所");
  EXPECT_EQ(rejected_page(first_system())["items"].size(), 0u);
  EXPECT_TRUE(audited("connected_system_requeue", "add facility " + refused));
  // Gone from the list: neither re-queued nor dismissed again.
  EXPECT_EQ(n.admin
                ->call("POST",
                       system_path(first_system(), "/rejected/" + std::to_string(rid) + "/requeue"))
                .status,
            404);
  EXPECT_EQ(n.admin->call("DELETE", system_path(first_system(), "/rejected/" + std::to_string(rid)))
                .status,
            404);
  EXPECT_EQ(n.admin->call("GET", system_path(999999, "/rejected")).status, 404);

  // Two refused modifies: listed newest first, a page at a time; dismissed, they are gone
  // and the peer keeps what it had.
  for (const auto* login : {"dr-hare", "ph-ame"})
    n.peer->refuse(hpd::user_dn(kDit, login), kUnwillingToPerform);
  r = n.admin->call("PUT", "/api/v1/admin/users/dr-hare", {{"display_name", "医師 晴子 2"}});
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_TRUE(testing::poll_until([&] { return system_state(first_system())["rejected"] == 1; },
                                  std::chrono::seconds(30)))
      << system_state(first_system()).dump();
  r = n.admin->call("PUT", "/api/v1/admin/users/ph-ame", {{"display_name", "薬剤師 雨子"}});
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_TRUE(testing::poll_until([&] { return system_state(first_system())["rejected"] == 2; },
                                  std::chrono::seconds(30)))
      << system_state(first_system()).dump();
  EXPECT_EQ(system_state(first_system())["failures"], 0);
  page = rejected_page(first_system(), "?page_size=1");
  ASSERT_EQ(page["items"].size(), 1u) << page.dump();
  EXPECT_EQ(page["items"][0]["key"], "ph-ame");
  EXPECT_EQ(page["items"][0]["op"], "modify");
  EXPECT_EQ(page["items"][0]["result_code"], kUnwillingToPerform);
  ASSERT_TRUE(page.contains("next_cursor")) << page.dump();
  const json older = rejected_page(first_system(),
                                   "?page_size=1&cursor=" + page["next_cursor"].get<std::string>());
  ASSERT_EQ(older["items"].size(), 1u) << older.dump();
  EXPECT_EQ(older["items"][0]["key"], "dr-hare");
  for (const auto& it : {page["items"][0], older["items"][0]}) {
    r = n.admin->call(
        "DELETE", system_path(first_system(), "/rejected/" + std::to_string(it["id"].get<int>())));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(body_of(r)["dismissed"], it["id"]);
  }
  EXPECT_EQ(rejected_page(first_system())["items"].size(), 0u);
  EXPECT_EQ(system_state(first_system())["rejected"], 0);
  EXPECT_TRUE(audited("connected_system_dismiss", "modify user dr-hare"));
  EXPECT_EQ(n.peer->attribute(hpd::user_dn(kDit, "dr-hare"), "displayName"), "医師 晴子");
  for (const auto* login : {"dr-hare", "ph-ame"})
    n.peer->accept(hpd::user_dn(kDit, login));

  // A rejection is gone once a later change of that entry is delivered.
  n.peer->refuse(hpd::user_dn(kDit, "behind-ph"), kObjectClassViolation);
  r = n.admin->call("PUT", "/api/v1/admin/users/behind-ph", {{"display_name", "薬剤師 後"}});
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_TRUE(testing::poll_until([&] { return system_state(first_system())["rejected"] == 1; },
                                  std::chrono::seconds(30)))
      << system_state(first_system()).dump();
  n.peer->accept(hpd::user_dn(kDit, "behind-ph"));
  r = n.admin->call("PUT", "/api/v1/admin/users/behind-ph", {{"display_name", "薬剤師 後二"}});
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_TRUE(testing::poll_until(
      [&] {
        return n.peer->attribute(hpd::user_dn(kDit, "behind-ph"), "displayName") == "薬剤師 後二";
      },
      std::chrono::seconds(30)))
      << system_state(first_system()).dump();
  EXPECT_EQ(system_state(first_system())["rejected"], 0);

  // A transient answer (busy) keeps the change and backs off, as an outage does.
  n.peer->refuse(hpd::user_dn(kDit, "ph-ame"), 51);
  r = n.admin->call("PUT", "/api/v1/admin/users/ph-ame", {{"display_name", "薬剤師 雨子 2"}});
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_TRUE(
      testing::poll_until([&] { return system_state(first_system())["failures"].get<int>() >= 1; },
                          std::chrono::seconds(30)))
      << system_state(first_system()).dump();
  EXPECT_EQ(system_state(first_system())["pending"], 1);
  EXPECT_EQ(system_state(first_system())["rejected"], 0);
  n.peer->accept(hpd::user_dn(kDit, "ph-ame"));
  ASSERT_TRUE(testing::poll_until([&] { return system_state(first_system())["pending"] == 0; },
                                  std::chrono::seconds(30)))
      << system_state(first_system()).dump();
  EXPECT_EQ(n.peer->attribute(hpd::user_dn(kDit, "ph-ame"), "displayName"), "薬剤師 雨子 2");
  EXPECT_EQ(system_state(first_system())["failures"], 0);
}

}  // namespace
}  // namespace hareyaka
