// The generated decision matrix: every profession x viewing-facility kind x category x
// consent state, asserted against the expected table written out below (independently of
// consent/default_policy.cpp and of the SQL seed, so a drift in either fails here).
#include <gtest/gtest.h>

#include <array>
#include <string>

#include "consent/default_policy.hpp"
#include "consent/policy_store.hpp"
#include "tests/consent/consent_fixture.hpp"
#include "tests/support/expected_access.hpp"

namespace hareyaka::consent {
namespace {

using hpd::FacilityKind;
using hpd::Profession;
using std::chrono::hours;

using testing::expected_role;

enum class State { kNone, kGiven, kGivenToAll, kScoped, kExpired, kWithdrawn, kPending };
constexpr std::array kStates = {State::kNone,   State::kGiven,   State::kGivenToAll,
                                State::kScoped, State::kExpired, State::kWithdrawn,
                                State::kPending};
const std::set<Category> kScope = {Category::kEncounters, Category::kPrescriptions,
                                   Category::kImaging, Category::kDemographics};

const char* name(State s) {
  switch (s) {
    case State::kNone:
      return "none";
    case State::kGiven:
      return "given";
    case State::kGivenToAll:
      return "given_to_all";
    case State::kScoped:
      return "scoped";
    case State::kExpired:
      return "expired";
    case State::kWithdrawn:
      return "withdrawn";
    case State::kPending:
      return "pending";
  }
  return "?";
}

DenyReason expected(Profession p, FacilityKind k, Category c, State s) {
  if (!expected_role(p, k, c))
    return DenyReason::kRoleNotPermitted;
  switch (s) {
    case State::kNone:
      return DenyReason::kNoConsent;
    case State::kGiven:
    case State::kGivenToAll:
      return DenyReason::kNone;
    case State::kScoped:
      return kScope.count(c) ? DenyReason::kNone : DenyReason::kCategoryNotInScope;
    case State::kExpired:
      return DenyReason::kConsentExpired;
    case State::kWithdrawn:
      return DenyReason::kConsentWithdrawn;
    case State::kPending:
      return DenyReason::kConsentNotYetValid;
  }
  return DenyReason::kNoConsent;
}

using Patients = std::map<std::pair<FacilityKind, State>, PatientRef>;

// One patient per (viewing facility, state). "given_to_all" consents name no viewer, so
// they get their own patient per viewer to keep the cells independent.
Patients make_patients(testing::ConsentNetwork& net, hpd::TimePoint now) {
  Patients patient;
  int n = 0;
  for (auto kind : hpd::kAllFacilityKinds) {
    const std::string v = net.viewer[kind];
    for (auto s : kStates) {
      std::string local = "P" + std::to_string(++n);
      patient[{kind, s}] = {net.source_domain, local};
      auto c = net.consent_for(local, v, now - hours(24));
      switch (s) {
        case State::kNone:
          continue;
        case State::kGiven:
          break;
        case State::kGivenToAll:
          c.viewer_facility.reset();
          break;
        case State::kScoped:
          c.scope = kScope;
          break;
        case State::kExpired:
          c.starts_at = now - hours(48);
          c.expires_at = now - hours(1);
          break;
        case State::kWithdrawn:
          break;
        case State::kPending:
          c.starts_at = now + hours(24);
          break;
      }
      auto given = net.consents.give(c, now - hours(24));
      if (s == State::kWithdrawn) {
        EXPECT_TRUE(
            net.consents.withdraw(given.id, "secretariat1", "patient request", now - hours(1)));
      }
    }
  }
  return patient;
}

TEST(DecisionMatrix, EveryCellMatchesTheExpectedTable) {
  testing::ConsentNetwork net;
  const auto now = hpd::Clock::now();
  const Patients patient = make_patients(net, now);

  int cells = 0, allows = 0, denies = 0;
  for (auto kind : hpd::kAllFacilityKinds) {
    for (auto prof : hpd::kAllProfessions) {
      const UserContext& user = net.users.at({kind, prof});
      for (auto cat : kAllCategories) {
        for (auto s : kStates) {
          const auto want = expected(prof, kind, cat, s);
          const auto got = net.decider.decide(user, patient.at({kind, s}), net.source, cat, now);
          EXPECT_EQ(got.allowed, want == DenyReason::kNone);
          EXPECT_EQ(got.reason, want)
              << hpd::to_string(prof) << " at " << hpd::to_string(kind) << ", " << to_string(cat)
              << ", consent " << name(s) << ": got " << to_string(got.reason) << " want "
              << to_string(want);
          ++cells;
          (got.allowed ? allows : denies)++;
        }
      }
    }
  }
  EXPECT_EQ(cells, 12 * 6 * 10 * 7);
  EXPECT_GT(allows, 300);
  EXPECT_GT(denies, 2000);
}

// decide_many() must give, for each question, exactly what decide() gives: every category x
// consent state of the matrix for each user in one call, plus an unknown source facility and
// a question repeated (answers stay in query order).
TEST(DecisionMatrix, DecideManyEqualsDecideForEveryCell) {
  testing::ConsentNetwork net;
  const auto now = hpd::Clock::now();
  const Patients patient = make_patients(net, now);
  int cells = 0, allows = 0;
  for (auto kind : hpd::kAllFacilityKinds) {
    for (auto prof : hpd::kAllProfessions) {
      const UserContext& user = net.users.at({kind, prof});
      std::vector<DecisionQuery> queries;
      for (auto cat : kAllCategories) {
        for (auto s : kStates)
          queries.push_back({patient.at({kind, s}), net.source, cat});
      }
      queries.push_back(
          {patient.at({kind, State::kGiven}), "1.2.392.999.404", Category::kEncounters});
      queries.push_back(queries.front());
      const auto many = net.decider.decide_many(user, queries, now);
      ASSERT_EQ(many.size(), queries.size());
      for (std::size_t i = 0; i < queries.size(); ++i) {
        const auto& q = queries[i];
        const auto one = net.decider.decide(user, q.patient, q.source_facility, q.category, now);
        EXPECT_EQ(many[i].allowed, one.allowed);
        EXPECT_EQ(many[i].reason, one.reason)
            << hpd::to_string(prof) << " at " << hpd::to_string(kind) << ", query " << i << " ("
            << q.patient.local_id << " at " << q.source_facility << ", " << to_string(q.category)
            << "): many " << to_string(many[i].reason) << " one " << to_string(one.reason);
        EXPECT_EQ(many[i].text, one.text);
        ++cells;
        allows += many[i].allowed ? 1 : 0;
      }
      EXPECT_EQ(many.back().reason, many.front().reason);
      EXPECT_EQ(many[many.size() - 2].reason, DenyReason::kSourceFacilityUnknown)
          << hpd::to_string(prof) << " at " << hpd::to_string(kind);
    }
  }
  EXPECT_EQ(cells, 12 * 6 * (10 * 7 + 2));
  EXPECT_GT(allows, 300);
}

// The user and the viewing facility are checked per question in decide_many() too.
TEST(DecisionMatrix, DecideManyForAnUnknownUserDeniesEveryQuestion) {
  testing::ConsentNetwork net;
  const auto now = hpd::Clock::now();
  const Patients patient = make_patients(net, now);
  UserContext ghost = net.users.at({FacilityKind::kClinic, Profession::kDoctor});
  ghost.user_id = 987654321;
  const auto many = net.decider.decide_many(
      ghost,
      {{patient.at({FacilityKind::kClinic, State::kGiven}), net.source, Category::kEncounters}},
      now);
  ASSERT_EQ(many.size(), 1u);
  EXPECT_EQ(many[0].reason, DenyReason::kUnknownUser);
  EXPECT_TRUE(net.decider.decide_many(ghost, {}, now).empty());
}

TEST(DecisionMatrix, SeededPolicyTableMatchesTheDocumentedDefaults) {
  testing::ConsentNetwork net;
  PgPolicyStore policy(*net.pool);
  int cells = 0;
  for (auto p : hpd::kAllProfessions) {
    auto row = policy.cells_for(p);
    EXPECT_EQ(row.size(), 60u);
    for (const auto& cell : row) {
      EXPECT_EQ(cell.allowed, default_policy_allows(p, cell.kind, cell.category));
      EXPECT_EQ(cell.allowed, expected_role(p, cell.kind, cell.category))
          << hpd::to_string(p) << " " << hpd::to_string(cell.kind) << " "
          << to_string(cell.category);
      ++cells;
    }
  }
  EXPECT_EQ(cells, 720);
}

}  // namespace
}  // namespace hareyaka::consent
