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
  ASSERT_EQ(m.users.size(), 10u * 6u * 5u);
  int covered = 0;
  for (const auto& [cat, has] : m.has_data)
    covered += has;
  // Without data a category cannot show "allowed" by its content; the audit still does.
  EXPECT_GE(covered, 6) << "the generated patient lacks data in too many categories";
  const auto started = std::chrono::steady_clock::now();
  std::atomic<int> cells{0}, allows{0}, denies{0};
  const int port = net().portal->port("web");
  auto run = [&](std::size_t first, std::size_t stride) {
    for (std::size_t i = first; i < m.users.size(); i += stride) {
      const auto& u = m.users[i];
      const std::string where = u.login;
      Browser b(port);
      auto login = b.login(u.login, kPassword, m.secret);
      ASSERT_EQ(login.status, 200) << where << ": " << login.body;
      const bool visible = u.state == State::kGiven || u.state == State::kScoped;
      // The list and the search carry the person exactly when a live consent exists, and
      // never the patient who consented to another facility.
      auto list = person_ids(b.call("GET", "/api/v1/persons?page_size=200"));
      EXPECT_EQ(list.count(m.person_id) > 0, visible) << where << " list";
      EXPECT_EQ(list.count(m.other_person_id), 0u) << where << " list";
      auto search = person_ids(b.call("GET", "/api/v1/persons?q=" + url_encode(m.family_kanji)));
      EXPECT_EQ(search.count(m.person_id) > 0, visible) << where << " search";
      EXPECT_EQ(search.count(m.other_person_id), 0u) << where << " search";
      auto other = b.call("GET", "/api/v1/persons/" + m.other_person_id + "/diagnoses");
      EXPECT_EQ(other.status, 404) << where;
      // The summary names exactly the categories the user may open.
      auto summary = b.call("GET", "/api/v1/persons/" + m.person_id);
      EXPECT_EQ(summary.status, visible ? 200 : 404) << where << " " << summary.body;
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
  EXPECT_EQ(cells.load(), 10 * 6 * 9 * 5);
  EXPECT_GT(allows.load(), 150);
  EXPECT_GT(denies.load(), 1500);

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

}  // namespace
}  // namespace hareyaka
