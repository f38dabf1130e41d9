// Portal trust through the real HTTP API of a real portal (and a real gateway) on a real
// PostgreSQL: the generated access matrix (profession x facility kind x category x consent
// state) on the list, search, summary and category endpoints, with every decision audited.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <set>
#include <thread>

#include "consent/category.hpp"
#include "pix/pg_identity_store.hpp"
#include "tests/integration/trust_matrix_setup.hpp"
#include "tests/integration/trust_network.hpp"
#include "tests/support/expected_access.hpp"

namespace hareyaka {
namespace {

using nlohmann::json;
using testing::body_of;
using testing::Browser;
using testing::kPassword;
using testing::kViewerCategories;
using testing::Matrix;
using testing::matrix;
using testing::net;
using testing::State;
using testing::url_encode;

// ---- the generated access matrix -----------------------------------------------------

const std::set<consent::Category> kScope = {
    consent::Category::kEncounters, consent::Category::kPrescriptions, consent::Category::kImaging,
    consent::Category::kDemographics};
bool expected_allow(hpd::Profession p, hpd::FacilityKind k, consent::Category c, State s) {
  if (!testing::expected_role(p, k, c))
    return false;
  return s == State::kGiven || (s == State::kScoped && kScope.count(c) > 0);
}

std::string expected_reason(hpd::Profession p, hpd::FacilityKind k, consent::Category c, State s) {
  if (!testing::expected_role(p, k, c))
    return "role_not_permitted";
  if (s == State::kScoped && !kScope.count(c))
    return "category_not_in_scope";
  return "";
}

std::set<std::string> person_ids(const http::ClientResponse& r) {
  std::set<std::string> out;
  const json body = body_of(r);
  for (const auto& p : body["items"])
    out.insert(p["person_id"].get<std::string>());
  return out;
}

TEST(TrustMatrix, GeneratedMatrixEveryCellThroughTheHttpApi) {
  Matrix& m = matrix();
  ASSERT_EQ(m.users.size(), 12u * 6u * 5u);
  int covered = 0;
  for (const auto& [cat, has] : m.has_data)
    covered += has;
  // Without data a category cannot show "allowed" by its content; the audit still does.
  EXPECT_GE(covered, 6) << "the generated patient lacks data in too many categories";
  const auto started = std::chrono::steady_clock::now();
  std::atomic<int> cells{0}, allows{0}, denies{0};
  std::atomic<int> demographics_cells{0}, demographics_allows{0}, demographics_denies{0};
  const int port = net().portal->port("web");
  auto run = [&](std::size_t first, std::size_t stride) {
    for (std::size_t i = first; i < m.users.size(); i += stride) {
      const auto& u = m.users[i];
      const std::string where = u.login;
      Browser b(port);
      auto login = b.login(u.login, kPassword, m.secret);
      ASSERT_EQ(login.status, 200) << where << ": " << login.body;
      const bool visible = u.state == State::kGiven || u.state == State::kScoped;
      // Demographics is a category of the matrix like the others: the list, the search and
      // the summary are its cells. They carry the person exactly when the decision allows
      // demographics (a live consent covering it and the role policy's cell), and never
      // the patient who consented to another facility.
      const bool listed = visible && expected_allow(u.profession, u.kind,
                                                    consent::Category::kDemographics, u.state);
      auto list = person_ids(b.call("GET", "/api/v1/persons?page_size=200"));
      EXPECT_EQ(list.count(m.person_id) > 0, listed) << where << " list";
      EXPECT_EQ(list.count(m.other_person_id), 0u) << where << " list";
      auto search = person_ids(b.call("GET", "/api/v1/persons?q=" + url_encode(m.family_kanji)));
      EXPECT_EQ(search.count(m.person_id) > 0, listed) << where << " search";
      EXPECT_EQ(search.count(m.other_person_id), 0u) << where << " search";
      auto other = b.call("GET", "/api/v1/persons/" + m.other_person_id + "/diagnoses");
      EXPECT_EQ(other.status, 404) << where;
      // The summary names exactly the categories the user may open; without demographics
      // it is not shown at all (no name, no birth date).
      auto summary = b.call("GET", "/api/v1/persons/" + m.person_id);
      demographics_cells += 3;
      (listed ? demographics_allows : demographics_denies) += 3;
      EXPECT_EQ(summary.status, listed ? 200 : 404) << where << " " << summary.body;
      if (!listed) {
        EXPECT_EQ(summary.body.find(m.family_kanji), std::string::npos) << where << " summary";
        EXPECT_EQ(summary.body.find(m.local_id), std::string::npos) << where << " summary";
      }
      if (summary.status == 200) {
        std::set<std::string> want, got;
        for (const auto& [cat, c, parts] : kViewerCategories) {
          if (expected_allow(u.profession, u.kind, c, u.state))
            want.insert(cat);
        }
        const json sb = body_of(summary);
        for (const auto& f : sb["facilities"]) {
          for (const auto& c : f["categories"])
            got.insert(c.get<std::string>());
        }
        EXPECT_EQ(got, want) << where << " summary";
      }
      for (const auto& [cat, c, parts] : kViewerCategories) {
        const bool allow = visible && expected_allow(u.profession, u.kind, c, u.state);
        auto r = b.call("GET", "/api/v1/persons/" + m.person_id + "/" + cat);
        ++cells;
        (allow ? allows : denies)++;
        if (!visible) {
          EXPECT_EQ(r.status, 404) << where << " " << cat;
          EXPECT_EQ(r.body.find(m.local_id), std::string::npos) << where << " " << cat;
          continue;
        }
        // Visible, but the role or the consent's scope refuses: 403 with the reason.
        if (!allow) {
          EXPECT_EQ(r.status, 403) << where << " " << cat << ": " << r.body;
          EXPECT_EQ(r.body.find(m.local_id), std::string::npos) << where << " " << cat;
          continue;
        }
        ASSERT_EQ(r.status, 200) << where << " " << cat << ": " << r.body;
        json body = body_of(r);
        EXPECT_TRUE(body["missing"].empty()) << where << " " << cat << ": " << r.body;
        EXPECT_EQ(!body["items"].empty(), m.has_data.at(cat))
            << where << " " << cat << ": " << r.body.substr(0, 300);
        for (const auto& item : body["items"])
          EXPECT_EQ(item["facility_oid"], testing::kHospitalOid);
      }
    }
  };
  std::vector<std::thread> threads;
  constexpr std::size_t kThreads = 4;
  for (std::size_t t = 0; t < kThreads; ++t)
    threads.emplace_back(run, t, kThreads);
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(cells.load(), 12 * 6 * 9 * 5);
  EXPECT_GT(allows.load(), 150);
  EXPECT_GT(denies.load(), 1500);
  // List, search and summary of every user: demographics as the tenth category.
  EXPECT_EQ(demographics_cells.load(), 3 * 12 * 6 * 5);
  EXPECT_EQ(demographics_allows.load(), 3 * 9 * 6 * 2);  // all but the secretariat, 2 states
  EXPECT_EQ(demographics_denies.load(), 3 * (12 * 6 * 5 - 9 * 6 * 2));

  // Every decision is on record: allowed ones as success, refused ones as denied with the
  // reason, found through the admin API's audit search.
  for (const auto& u : m.users) {
    auto r =
        net().admin->call("GET", "/api/v1/admin/audit?event=view&page_size=200&user=" + u.login);
    ASSERT_EQ(r.status, 200) << r.body;
    std::map<std::string, std::vector<json>> by_category;
    const json records = body_of(r);
    for (const auto& rec : records["items"]) {
      if (rec["person_id"] != m.person_id)
        continue;  // the attempt on the other patient
      by_category[rec["category"].get<std::string>()].push_back(rec);
    }
    const bool visible = u.state == State::kGiven || u.state == State::kScoped;
    // The summary's demographics decision, allowed or refused with the reason.
    if (visible) {
      const auto& recs = by_category["demographics"];
      EXPECT_FALSE(recs.empty()) << u.login << " demographics: no audit record";
      const auto d = consent::Category::kDemographics;
      for (const auto& rec : recs) {
        EXPECT_EQ(rec["outcome"],
                  expected_allow(u.profession, u.kind, d, u.state) ? "success" : "denied")
            << u.login << " demographics";
        EXPECT_EQ(rec["reason"], expected_reason(u.profession, u.kind, d, u.state))
            << u.login << " demographics";
      }
    }
    for (const auto& [cat, c, parts] : kViewerCategories) {
      const auto& recs = by_category[cat];
      EXPECT_FALSE(recs.empty()) << u.login << " " << cat << ": no audit record";
      const bool allow = visible && expected_allow(u.profession, u.kind, c, u.state);
      for (const auto& rec : recs) {
        EXPECT_EQ(rec["outcome"], allow ? "success" : "denied") << u.login << " " << cat;
        EXPECT_EQ(rec["person_id"], m.person_id);
        if (visible) {
          EXPECT_EQ(rec["reason"], expected_reason(u.profession, u.kind, c, u.state))
              << u.login << " " << cat;
        } else {
          EXPECT_FALSE(rec["reason"].get<std::string>().empty()) << u.login << " " << cat;
        }
      }
    }
  }
  std::printf("matrix: %d cells (%d allowed, %d denied) in %.1f s\n", cells.load(), allows.load(),
              denies.load(),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
}

// ---- demographics, identities and facility status (#15 leaks 3, 4, 5) -------------------

// The role policy's demographics cell decides the list, the search and the summary: with the
// cell denied, a clerk whose facility holds a live consent sees the person nowhere.
TEST(TrustMatrix, ThePolicysDemographicsCellHidesThePerson) {
  Matrix& m = matrix();
  testing::add_user("l3.clerk", m.facility.at({hpd::FacilityKind::kClinic, State::kGiven}),
                    "clerk");
  Browser b(net().portal->port("web"));
  testing::enrol(b, "l3.clerk");
  auto set_cell = [&](bool allowed) {
    auto r = net().admin->call("PUT", "/api/v1/admin/policy",
                               {{"cells",
                                 {{{"profession", "clerk"},
                                   {"facility_kind", "clinic"},
                                   {"category", "demographics"},
                                   {"allowed", allowed}}}}});
    ASSERT_EQ(r.status, 200) << r.body;
  };
  const std::string search = "/api/v1/persons?q=" + url_encode(m.family_kanji);
  EXPECT_EQ(person_ids(b.call("GET", "/api/v1/persons")).count(m.person_id), 1u);
  set_cell(false);
  EXPECT_EQ(person_ids(b.call("GET", "/api/v1/persons")).count(m.person_id), 0u);
  EXPECT_EQ(person_ids(b.call("GET", search)).count(m.person_id), 0u);
  auto summary = b.call("GET", "/api/v1/persons/" + m.person_id);
  EXPECT_EQ(summary.status, 404) << summary.body;
  EXPECT_EQ(summary.body.find(m.family_kanji), std::string::npos) << summary.body;
  set_cell(true);
  EXPECT_EQ(person_ids(b.call("GET", "/api/v1/persons")).count(m.person_id), 1u);
  EXPECT_EQ(person_ids(b.call("GET", search)).count(m.person_id), 1u);
  EXPECT_EQ(b.call("GET", "/api/v1/persons/" + m.person_id).status, 200);
}

// A person known at two disclosing facilities, whose consent to the viewer stands at one and
// was withdrawn at the other: the list, the search and the summary show the first identity
// only, with its name; the other facility is not named and its id finds nothing.
TEST(TrustMatrix, IdentitiesOfAFacilityWithoutConsentAreNotShown) {
  matrix();
  // A second disclosing hospital whose patient id domain sorts before the first one's.
  const std::string other_oid = "1.2.392.200284.33.1300001";
  const std::string other_domain = other_oid + ".1";
  auto f = net().admin->call("POST", "/api/v1/admin/facilities",
                             {{"oid", other_oid},
                              {"name", "別院病院"},
                              {"kind", "hospital"},
                              {"discloses", true},
                              {"views", false},
                              {"gateway_url", "https://127.0.0.1:9"},
                              {"gateway_cert_sha256", std::string(64, 'a')}});
  ASSERT_EQ(f.status, 201) << f.body;
  pix::PgIdentityStore identities(*net().pool, {});
  identities.register_domain(other_domain, "別院病院");
  pix::Demographics here{.family_kanji = "表野",
                         .given_kanji = "見子",
                         .family_kana = "オモテノ",
                         .given_kana = "ミコ",
                         .birth_date = "19600101",
                         .sex = 'F'};
  pix::Demographics there{.family_kanji = "裏川",
                          .given_kanji = "秘子",
                          .family_kana = "ウラカワ",
                          .given_kana = "ヒコ",
                          .birth_date = "19611231",
                          .sex = 'F'};
  const pix::IdentityKey at_here{testing::kHospitalDomain, "4000001"};
  const pix::IdentityKey at_there{other_domain, "B-77"};
  const std::string pid = std::to_string(identities.register_identity({at_here}, here).person_id);
  identities.register_identity({at_there}, there);
  ASSERT_EQ(std::to_string(identities.link(at_there, at_here, {"trust-test", "same patient"})),
            pid);
  const std::string viewer = testing::add_viewing_facility(3900001, "clinic", "両院クリニック");
  for (const auto& [key, withdraw] : {std::pair{at_here, false}, std::pair{at_there, true}}) {
    auto c = net().admin->call("POST", "/api/v1/admin/consents",
                               {{"authority", key.authority},
                                {"local_id", key.local_id},
                                {"viewer_facility_oid", viewer}});
    ASSERT_EQ(c.status, 201) << c.body;
    if (withdraw) {
      auto w = net().admin->call(
          "POST", "/api/v1/admin/consents/" + body_of(c)["id"].get<std::string>() + "/withdraw",
          {{"reason", "patient withdrew at this hospital"}});
      ASSERT_EQ(w.status, 200) << w.body;
    }
  }
  testing::add_user("l4.doctor", viewer, "doctor");
  Browser b(net().portal->port("web"));
  testing::enrol(b, "l4.doctor");
  auto only_here = [&](const json& p, const std::string& where) {
    ASSERT_EQ(p["identifiers"].size(), 1u) << where << ": " << p.dump();
    EXPECT_EQ(p["identifiers"][0]["facility_oid"], testing::kHospitalOid) << where;
    EXPECT_EQ(p["identifiers"][0]["local_id"], "4000001") << where;
    EXPECT_EQ(p["name_kanji"], "表野 見子") << where;
    EXPECT_EQ(p["birth_date"], "1960-01-01") << where;
    const std::string text = p.dump();
    for (const std::string& hidden :
         {other_oid, std::string("B-77"), std::string("裏川"), std::string("別院病院")})
      EXPECT_EQ(text.find(hidden), std::string::npos) << where << ": " << hidden;
  };
  auto list = b.call("GET", "/api/v1/persons");
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_EQ(body_of(list)["items"].size(), 1u) << list.body;
  only_here(body_of(list)["items"][0], "list");
  auto found = b.call("GET", "/api/v1/persons?q=" + url_encode("表野"));
  ASSERT_EQ(body_of(found)["items"].size(), 1u) << found.body;
  only_here(body_of(found)["items"][0], "search");
  // The withdrawn facility's id and name find nothing (they would confirm the link).
  for (const std::string& q : {std::string("local_id=B-77"), "q=" + url_encode("裏川"),
                               std::string("birth_date=1961-12-31")}) {
    auto r = b.call("GET", "/api/v1/persons?" + q);
    ASSERT_EQ(r.status, 200) << q << ": " << r.body;
    EXPECT_TRUE(body_of(r)["items"].empty()) << q << ": " << r.body;
  }
  auto summary = b.call("GET", "/api/v1/persons/" + pid);
  ASSERT_EQ(summary.status, 200) << summary.body;
  const json summary_body = body_of(summary);  // kept: the loop below reads into it
  only_here(summary_body, "summary");
  EXPECT_FALSE(summary_body["facilities"].empty());
  for (const auto& fac : summary_body["facilities"])
    EXPECT_EQ(fac["oid"], testing::kHospitalOid);
}

// A suspended viewing facility: its users' sessions that were open before list and open
// nothing any more (docs/security-model.md); reactivated, a new login sees again.
TEST(TrustMatrix, ASuspendedFacilitysOpenSessionsSeeNothing) {
  Matrix& m = matrix();
  const std::string viewer = testing::add_viewing_facility(3900002, "clinic", "停止クリニック");
  auto c = net().admin->call("POST", "/api/v1/admin/consents",
                             {{"authority", testing::kHospitalDomain},
                              {"local_id", m.local_id},
                              {"viewer_facility_oid", viewer}});
  ASSERT_EQ(c.status, 201) << c.body;
  testing::add_user("l5.doctor", viewer, "doctor");
  Browser b(net().portal->port("web"));
  const std::string secret = testing::enrol(b, "l5.doctor");
  const std::string person = "/api/v1/persons/" + m.person_id;
  ASSERT_EQ(person_ids(b.call("GET", "/api/v1/persons")).count(m.person_id), 1u);
  ASSERT_EQ(b.call("GET", person).status, 200);
  ASSERT_EQ(b.call("GET", person + "/diagnoses").status, 200);
  auto set_status = [&](const char* status) {
    auto r = net().admin->call("PUT", "/api/v1/admin/facilities/" + viewer, {{"status", status}});
    ASSERT_EQ(r.status, 200) << r.body;
  };
  set_status("suspended");
  for (const std::string& path :
       {std::string("/api/v1/persons"), "/api/v1/persons?q=" + url_encode(m.family_kanji), person,
        person + "/diagnoses", person + "/allergies"}) {
    auto r = b.call("GET", path);
    EXPECT_EQ(r.status, 401) << path << ": " << r.body;
    EXPECT_EQ(r.body.find(m.family_kanji), std::string::npos) << path;
    EXPECT_EQ(r.body.find(m.local_id), std::string::npos) << path;
  }
  // The secretariat cannot suspend its own facility (that would end its own sessions).
  auto own =
      net().admin->call("PUT", std::string("/api/v1/admin/facilities/") + testing::kSecretariatOid,
                        {{"status", "suspended"}});
  EXPECT_EQ(own.status, 422) << own.body;
  // The session ended: reactivating the facility does not bring it back.
  set_status("active");
  EXPECT_EQ(b.call("GET", "/api/v1/persons").status, 401);
  Browser again(net().portal->port("web"));
  ASSERT_EQ(again.login("l5.doctor", kPassword, secret, 1).status, 200);
  EXPECT_EQ(person_ids(again.call("GET", "/api/v1/persons")).count(m.person_id), 1u);
}

}  // namespace
}  // namespace hareyaka
