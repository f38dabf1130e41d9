// Portal trust through the real HTTP API of a real portal (and a real gateway) on a real
// PostgreSQL: the admin console's endpoints (facilities, users, consents, policy, access
// report, identity queue, unlink) over the generated matrix's network, and an altered audit
// row found by the chain verification.
#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <set>

#include "consent/category.hpp"
#include "hpd/facility.hpp"
#include "hpd/user.hpp"
#include "pix/pg_identity_store.hpp"
#include "tests/integration/trust_matrix_setup.hpp"
#include "tests/integration/trust_network.hpp"
#include "tests/support/expected_access.hpp"

namespace hareyaka {
namespace {

using nlohmann::json;
using testing::add_user;
using testing::body_of;
using testing::Browser;
using testing::clinic;
using testing::enrol;
using testing::kPassword;
using testing::Matrix;
using testing::matrix;
using testing::net;
using testing::url_encode;

// ---- the admin console ---------------------------------------------------------------------

TEST(TrustAdmin, AdminFacilitiesUsersAndConsents) {
  Browser& admin = *net().admin;
  Matrix& m = matrix();
  clinic();
  // Facilities: OID checks, search, read, edit.
  auto bad = admin.call(
      "POST", "/api/v1/admin/facilities",
      {{"oid", "1.2.392.200284.33.01"}, {"name", "x"}, {"kind", "clinic"}, {"views", true}});
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_NE(body_of(bad)["message"].get<std::string>().find("oid"), std::string::npos);
  auto outside =
      admin.call("POST", "/api/v1/admin/facilities",
                 {{"oid", "1.2.3.4.5"}, {"name", "x"}, {"kind", "clinic"}, {"views", true}});
  EXPECT_EQ(outside.status, 422);
  auto dup = admin.call("POST", "/api/v1/admin/facilities",
                        {{"prefecture", "33"},
                         {"code", "2000001"},
                         {"name", "x"},
                         {"kind", "clinic"},
                         {"views", true}});
  EXPECT_EQ(dup.status, 409) << dup.body;
  auto found = admin.call("GET", "/api/v1/admin/facilities?q=" + url_encode("晴れやかク"));
  ASSERT_EQ(found.status, 200);
  ASSERT_EQ(body_of(found)["items"].size(), 1u) << found.body;
  EXPECT_EQ(body_of(found)["items"][0]["oid"], clinic());
  auto paged = admin.call("GET", "/api/v1/admin/facilities?page_size=10");
  EXPECT_EQ(body_of(paged)["items"].size(), 10u);
  auto next = admin.call("GET", "/api/v1/admin/facilities?page_size=10&cursor=" +
                                    url_encode(body_of(paged)["next_cursor"].get<std::string>()));
  EXPECT_NE(body_of(next)["items"][0]["oid"], body_of(paged)["items"][9]["oid"]);
  auto edit =
      admin.call("PUT", "/api/v1/admin/facilities/" + clinic(), {{"municipality", "332020"}});
  ASSERT_EQ(edit.status, 200) << edit.body;
  auto read = body_of(admin.call("GET", "/api/v1/admin/facilities/" + clinic()));
  EXPECT_EQ(read["municipality"], "332020");
  EXPECT_EQ(read["prefecture"], "33");
  EXPECT_EQ(read["code"], "2000001");

  // Users: password rules, listing by facility, lock ends the sessions and refuses login.
  auto weak = admin.call("POST", "/api/v1/admin/users",
                         {{"login_id", "weak-one"},
                          {"display_name", "w"},
                          {"facility_oid", clinic()},
                          {"profession", "nurse"},
                          {"password", "password"}});
  EXPECT_EQ(weak.status, 422);
  add_user("ns-lockme", clinic(), "nurse");
  Browser nurse(net().portal->port("web"));
  const std::string secret = enrol(nurse, "ns-lockme");
  auto users =
      body_of(admin.call("GET", "/api/v1/admin/users?facility_oid=" + clinic() + "&q=ns-"));
  ASSERT_EQ(users["items"].size(), 1u);
  EXPECT_EQ(users["items"][0]["facility_name"], "晴れやかクリニック");
  auto lock = admin.call("PUT", "/api/v1/admin/users/ns-lockme",
                         {{"status", "locked"}, {"display_name", "看護 花子"}});
  ASSERT_EQ(lock.status, 200) << lock.body;
  EXPECT_EQ(body_of(lock)["status"], "locked");
  EXPECT_EQ(nurse.call("GET", "/api/v1/session").status, 401);
  auto refused = Browser(net().portal->port("web")).login("ns-lockme", kPassword, secret, 1);
  // Refused with the answer of a wrong password (#15 leak 10: a 403 account_disabled after
  // the right password confirmed the password); the audit has account_disabled.
  EXPECT_EQ(refused.status, 401) << refused.body;
  EXPECT_EQ(body_of(refused)["reason"], "invalid_credentials") << refused.body;
  EXPECT_EQ(admin.call("PUT", "/api/v1/admin/users/nobody-x", {{"status", "active"}}).status, 404);

  // Consents: by patient and by person, history with the withdrawal.
  auto by_patient = body_of(admin.call("GET", std::string("/api/v1/admin/consents?authority=") +
                                                  testing::kHospitalDomain +
                                                  "&local_id=" + m.local_id + "&page_size=200"));
  EXPECT_EQ(by_patient["items"].size(), 6u * 4u);
  auto by_person = body_of(
      admin.call("GET", "/api/v1/admin/consents?person_id=" + m.person_id + "&page_size=5"));
  EXPECT_EQ(by_person["items"].size(), 5u);
  EXPECT_TRUE(by_person.contains("next_cursor"));
  std::string withdrawn_id;
  for (const auto& c : by_patient["items"]) {
    if (c["status"] == "withdrawn")
      withdrawn_id = c["id"];
  }
  ASSERT_FALSE(withdrawn_id.empty());
  auto history = body_of(admin.call("GET", "/api/v1/admin/consents/" + withdrawn_id + "/history"));
  std::set<std::string> actions;
  for (const auto& h : history["items"])
    actions.insert(h["action"].get<std::string>());
  EXPECT_EQ(actions, (std::set<std::string>{"given", "withdrawn"})) << history.dump();
  auto again =
      admin.call("POST", "/api/v1/admin/consents/" + withdrawn_id + "/withdraw", {{"reason", "x"}});
  EXPECT_EQ(again.status, 409);
  auto changes =
      body_of(admin.call("GET", "/api/v1/admin/audit?event=consent_change&page_size=500"));
  EXPECT_GE(changes["items"].size(), 6u * 4u + 6u);
}

TEST(TrustAdmin, PolicyEditTakesEffectOnTheNextRequest) {
  Browser& admin = *net().admin;
  Matrix& m = matrix();
  auto policy = body_of(admin.call("GET", "/api/v1/admin/policy"));
  ASSERT_EQ(policy["cells"].size(), 720u);
  for (const auto& c : policy["cells"]) {
    auto p = *hpd::parse_profession(c["profession"].get<std::string>());
    auto k = *hpd::parse_facility_kind(c["facility_kind"].get<std::string>());
    auto cat = *consent::parse_category(c["category"].get<std::string>());
    EXPECT_EQ(c["allowed"].get<bool>(), testing::expected_role(p, k, cat)) << c.dump();
  }
  // A pharmacist at a pharmacy with a consent: no lab results, then the secretariat widens.
  Browser b(net().portal->port("web"));
  ASSERT_EQ(b.login("m.pharmacy.given.pharmacist", kPassword, m.secret, 1).status, 200);
  const std::string path = "/api/v1/persons/" + m.person_id + "/lab_results";
  EXPECT_EQ(b.call("GET", path).status, 403);
  json cell{
      {"profession", "pharmacist"}, {"facility_kind", "pharmacy"}, {"category", "lab_results"}};
  cell["allowed"] = true;
  auto put = admin.call("PUT", "/api/v1/admin/policy", {{"cells", {cell}}});
  ASSERT_EQ(put.status, 200) << put.body;
  auto widened = b.call("GET", path);
  EXPECT_EQ(widened.status, 200) << widened.body;
  EXPECT_EQ(!body_of(widened)["items"].empty(), m.has_data.at("lab_results"));
  cell["allowed"] = false;
  ASSERT_EQ(admin.call("PUT", "/api/v1/admin/policy", {{"cells", {cell}}}).status, 200);
  EXPECT_EQ(b.call("GET", path).status, 403);
  auto bad = admin.call("PUT", "/api/v1/admin/policy",
                        {{"cells",
                          {{{"profession", "wizard"},
                            {"facility_kind", "pharmacy"},
                            {"category", "lab_results"},
                            {"allowed", true}}}}});
  EXPECT_EQ(bad.status, 422);
  auto changes = body_of(admin.call("GET", "/api/v1/admin/audit?event=policy_change"));
  EXPECT_GE(changes["items"].size(), 2u);
}

// Views of the matrix's patient for the access report (the matrix test, which makes them,
// runs in another binary): every matrix user (but one) opens every category, about
// 10 x 6 x 5 x 9 decisions, allowed ones and refused ones.
void view_as_every_matrix_user(const Matrix& m) {
  for (const auto& u : m.users) {
    // Its one-time code of this step is spent by the policy test (a next login is refused
    // as a replay); the others are enough.
    if (u.login == "m.pharmacy.given.pharmacist")
      continue;
    Browser b(net().portal->port("web"));
    auto login = b.login(u.login, kPassword, m.secret);
    ASSERT_EQ(login.status, 200) << u.login << ": " << login.body;
    for (const auto& [cat, c, parts] : testing::kViewerCategories)
      b.call("GET", "/api/v1/persons/" + m.person_id + "/" + cat);
  }
}

TEST(TrustAdmin, AccessReportIdentityQueueAndUnlink) {
  Browser& admin = *net().admin;
  Matrix& m = matrix();
  ASSERT_NO_FATAL_FAILURE(view_as_every_matrix_user(m));
  // Every page, following next_cursor: the pages do not overlap and end.
  std::set<std::string> viewers;
  std::set<std::int64_t> seqs;
  std::string cursor;
  int pages = 0;
  for (;;) {
    auto report =
        admin.call("GET", "/api/v1/admin/persons/" + m.person_id + "/access-report?page_size=300" +
                              (cursor.empty() ? "" : "&cursor=" + url_encode(cursor)));
    ASSERT_EQ(report.status, 200) << report.body;
    json rep = body_of(report);
    EXPECT_EQ(rep["person"]["person_id"], m.person_id);
    ++pages;
    for (const auto& item : rep["items"]) {
      EXPECT_TRUE(seqs.insert(item["seq"].get<std::int64_t>()).second);
      if (item["outcome"] == "success")
        viewers.insert(item["user"].get<std::string>());
    }
    if (!rep.contains("next_cursor"))
      break;
    cursor = rep["next_cursor"];
    ASSERT_LT(pages, 100);
  }
  EXPECT_GT(pages, 1);
  EXPECT_TRUE(viewers.count("m.hospital.given.doctor"));
  EXPECT_FALSE(viewers.count("m.hospital.none.doctor"));
  EXPECT_EQ(admin.call("GET", "/api/v1/admin/persons/999999999/access-report").status, 404);

  auto queue = admin.call("GET", "/api/v1/admin/identity-review");
  ASSERT_EQ(queue.status, 200) << queue.body;
  EXPECT_TRUE(body_of(queue)["items"].is_array());
  EXPECT_EQ(admin.call("POST", "/api/v1/admin/identity-review/999999", {{"action", "link"}}).status,
            404);
  EXPECT_EQ(admin.call("POST", "/api/v1/admin/identity-review/1", {{"action", "merge"}}).status,
            422);

  // A second identity of the same patient at another domain joins the person; unlink it.
  pix::PgIdentityStore identities(*net().pool, {});
  const std::string domain = "1.2.392.200284.33.1310002.1";
  identities.register_domain(domain, "別病院");
  auto rec = identities.find({testing::kHospitalDomain, m.local_id});
  ASSERT_TRUE(rec);
  identities.register_identity({{domain, "X-1"}}, rec->demographics);
  if (identities.find({domain, "X-1"})->person_id != rec->person_id) {
    identities.link({domain, "X-1"}, {testing::kHospitalDomain, m.local_id},
                    {"trust-test", "same patient"});
  }
  ASSERT_EQ(std::to_string(identities.find({domain, "X-1"})->person_id), m.person_id);
  auto wrong = admin.call("POST", "/api/v1/admin/persons/" + m.other_person_id + "/unlink",
                          {{"authority", domain}, {"local_id", "X-1"}, {"reason", "test"}});
  EXPECT_EQ(wrong.status, 404);
  auto unlink =
      admin.call("POST", "/api/v1/admin/persons/" + m.person_id + "/unlink",
                 {{"authority", domain}, {"local_id", "X-1"}, {"reason", "different patient"}});
  ASSERT_EQ(unlink.status, 200) << unlink.body;
  EXPECT_NE(body_of(unlink)["new_person_id"], m.person_id);
  EXPECT_NE(std::to_string(identities.find({domain, "X-1"})->person_id), m.person_id);
}

// Every list and filter of the admin console and the viewer answers a malformed query
// parameter with a 400 that names it, never a 500 (a cursor of another list, a number that
// is not one, bytes that are not UTF-8).
TEST(TrustAdmin, AMalformedQueryParameterIsA400NamingIt) {
  Browser& admin = *net().admin;
  Matrix& m = matrix();
  const std::string consents =
      "/api/v1/admin/consents?authority=" + std::string(testing::kHospitalDomain) +
      "&local_id=" + m.local_id;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/api/v1/admin/users?cursor=abc", "cursor"},
      {"/api/v1/admin/users?cursor=%FF", "cursor"},
      {"/api/v1/admin/users?page_size=ten", "page_size"},
      {"/api/v1/admin/users?q=%FF", "q"},
      {"/api/v1/admin/users?facility_oid=%FF", "facility_oid"},
      {"/api/v1/admin/facilities?cursor=abc", "cursor"},
      {"/api/v1/admin/facilities?cursor=1:%FF", "cursor"},
      {"/api/v1/admin/facilities?q=%FF", "q"},
      {"/api/v1/admin/facilities?page_size=0", "page_size"},
      {"/api/v1/admin/identity-review?cursor=abc", "cursor"},
      {consents + "&cursor=abc", "cursor"},
      {consents + "&cursor=1:%FF", "cursor"},
      {"/api/v1/admin/consents?person_id=" + m.person_id + "&cursor=abc", "cursor"},
      {"/api/v1/admin/consents?person_id=" + m.person_id + "&cursor=1:x", "cursor"},
      {"/api/v1/admin/consents?authority=%FF&local_id=1", "authority"},
      {"/api/v1/admin/consents/1/history?cursor=abc", "cursor"},
      {"/api/v1/admin/audit?cursor=abc", "cursor"},
      {"/api/v1/admin/audit?page_size=-1", "page_size"},
      {"/api/v1/admin/audit?from=yesterday", "from"},
      {"/api/v1/admin/audit?to=2026-13-45", "to"},
      {"/api/v1/admin/audit?event=peek", "event"},
      {"/api/v1/admin/audit?user=%FF", "user"},
      {"/api/v1/admin/persons/" + m.person_id + "/access-report?cursor=abc", "cursor"},
      {"/api/v1/admin/stats?from=x", "from"},
      {"/api/v1/admin/stats?from=2026-01-01&to=x", "to"},
  };
  for (const auto& [path, name] : cases) {
    auto r = admin.call("GET", path);
    EXPECT_EQ(r.status, 400) << path << ": " << r.body;
    EXPECT_NE(r.body.find(name), std::string::npos) << path << ": " << r.body;
  }
  // Path parameters that are not UTF-8 name nothing that exists.
  for (const char* method : {"GET", "PUT"}) {
    auto r = admin.call(method, "/api/v1/admin/facilities/%FF",
                        std::string(method) == "GET" ? json(nullptr) : json::object());
    EXPECT_EQ(r.status, 404) << method << ": " << r.body;
  }
  // The viewer's list and search, as a doctor whose facility has the matrix's consent.
  Browser b(net().portal->port("web"));
  testing::add_user("bad-param.doctor",
                    m.facility.at({hpd::FacilityKind::kHospital, testing::State::kGiven}),
                    "doctor");
  enrol(b, "bad-param.doctor");
  for (const auto& [path, name] : std::vector<std::pair<std::string, std::string>>{
           {"/api/v1/persons?q=%FF", "q"},
           {"/api/v1/persons?local_id=%FF", "local_id"},
           {"/api/v1/persons?birth_date=%FF", "birth_date"},
           {"/api/v1/persons?sex=%FF", "sex"},
           {"/api/v1/persons?cursor=abc", "cursor"},
           {"/api/v1/persons?birth_date=1960-1-1", "birth_date"},
           {"/api/v1/persons?sex=X", "sex"},
           {"/api/v1/persons/" + m.person_id + "/encounters?from=%FF", "from"},
           {"/api/v1/persons/" + m.person_id + "/encounters?to=2026-1-1", "to"},
       }) {
    auto r = b.call("GET", path);
    EXPECT_EQ(r.status, 400) << path << ": " << r.body;
    EXPECT_NE(r.body.find(name), std::string::npos) << path << ": " << r.body;
  }
  for (const std::string path : {"/api/v1/persons/" + m.person_id + "/documents/%FF/x",
                                 "/api/v1/persons/" + m.person_id + "/imaging/%FF/dicomweb/studies",
                                 std::string("/api/v1/persons/%FF")}) {
    auto r = b.call("GET", path);
    EXPECT_EQ(r.status, 404) << path << ": " << r.body;
  }
}

// Last: it breaks the chain on purpose.
TEST(TrustAdmin, ZzTamperedAuditRowIsFoundByVerification) {
  Browser& admin = *net().admin;
  matrix();
  auto ok = admin.call("POST", "/api/v1/admin/audit/verify", json::object());
  ASSERT_EQ(ok.status, 200) << ok.body;
  ASSERT_TRUE(body_of(ok)["ok"].get<bool>()) << ok.body;
  const auto head = body_of(ok)["head_seq"].get<std::int64_t>();
  ASSERT_GT(head, 100);
  const std::int64_t victim = head / 2;
  {
    pqxx::connection c(net().db);
    pqxx::work w(c);
    w.exec("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only");
    w.exec("UPDATE audit_log SET detail = detail || ' (edited)' WHERE seq = " +
           std::to_string(victim));
    w.exec("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only");
    w.commit();
  }
  auto broken = admin.call("POST", "/api/v1/admin/audit/verify", json::object());
  ASSERT_EQ(broken.status, 200) << broken.body;
  json v = body_of(broken);
  EXPECT_FALSE(v["ok"].get<bool>());
  EXPECT_EQ(v["first_broken_seq"].get<std::int64_t>(), victim) << broken.body;
  EXPECT_NE(v["detail"].get<std::string>().find("altered"), std::string::npos) << broken.body;
}

}  // namespace
}  // namespace hareyaka
