#include "consent/pg_consent_store.hpp"

#include <gtest/gtest.h>

#include <random>
#include <set>

#include "common/error.hpp"
#include "consent/policy_store.hpp"
#include "tests/consent/consent_fixture.hpp"

namespace hareyaka::consent {
namespace {

using hpd::FacilityKind;
using hpd::Profession;
using std::chrono::hours;
using std::chrono::minutes;

class ConsentTest : public ::testing::Test {
 protected:
  testing::ConsentNetwork net_;
  hpd::TimePoint now_ = hpd::Clock::now();
  const UserContext& doctor() {
    return net_.users.at({FacilityKind::kClinic, Profession::kDoctor});
  }
  PatientRef patient(const std::string& id) { return {net_.source_domain, id}; }
};

TEST_F(ConsentTest, WithdrawalTakesEffectOnTheNextCall) {
  auto c = net_.consents.give(
      net_.consent_for("W1", net_.viewer[FacilityKind::kClinic], now_ - hours(1)), now_);
  EXPECT_TRUE(net_.decider.decide(doctor(), patient("W1"), net_.source, Category::kDiagnoses, now_)
                  .allowed);
  EXPECT_TRUE(net_.consents.withdraw(c.id, "secretariat1", "patient request", now_));
  auto d = net_.decider.decide(doctor(), patient("W1"), net_.source, Category::kDiagnoses,
                               now_ + std::chrono::microseconds(1));
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.reason, DenyReason::kConsentWithdrawn);
  EXPECT_FALSE(net_.consents.withdraw(c.id, "secretariat1", "again", now_));
  EXPECT_THROW(net_.consents.withdraw(987654, "x", "y", now_), Error);

  auto history = net_.consents.history(c.id, {});
  ASSERT_EQ(history.items.size(), 2u);
  EXPECT_EQ(history.items[0].action, "given");
  EXPECT_EQ(history.items[1].action, "withdrawn");
  EXPECT_EQ(history.items[1].detail, "patient request");
  auto found = net_.consents.find(c.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->state_at(now_ + minutes(1)), ConsentState::kWithdrawn);
  EXPECT_EQ(found->document_ref, "FORM-W1");
}

TEST_F(ConsentTest, ConsentForOneViewerDoesNotOpenAnother) {
  net_.consents.give(net_.consent_for("V1", net_.viewer[FacilityKind::kClinic], now_ - hours(1)),
                     now_);
  auto other = net_.users.at({FacilityKind::kHospital, Profession::kDoctor});
  auto d = net_.decider.decide(other, patient("V1"), net_.source, Category::kDiagnoses, now_);
  EXPECT_EQ(d.reason, DenyReason::kNoConsent);
  // Nor the same local id under another authority, nor another source facility.
  EXPECT_EQ(net_.decider
                .decide(doctor(), {hpd::patient_id_domain(testing::facility_oid(999)), "V1"},
                        net_.source, Category::kDiagnoses, now_)
                .reason,
            DenyReason::kNoConsent);
}

TEST_F(ConsentTest, UserAndFacilityStateDenies) {
  net_.consents.give(net_.consent_for("S1", std::nullopt, now_ - hours(1)), now_);
  auto user = doctor();
  EXPECT_TRUE(
      net_.decider.decide(user, patient("S1"), net_.source, Category::kImaging, now_).allowed);

  auto changed = user;
  changed.profession = Profession::kNurse;
  EXPECT_EQ(
      net_.decider.decide(changed, patient("S1"), net_.source, Category::kImaging, now_).reason,
      DenyReason::kUserChanged);
  auto ghost = user;
  ghost.user_id = 99999;
  EXPECT_EQ(net_.decider.decide(ghost, patient("S1"), net_.source, Category::kImaging, now_).reason,
            DenyReason::kUnknownUser);
  EXPECT_EQ(
      net_.decider.decide(user, patient("S1"), testing::facility_oid(999), Category::kImaging, now_)
          .reason,
      DenyReason::kSourceFacilityUnknown);

  net_.directory.set_status(user.user_id, hpd::UserStatus::kLocked);
  EXPECT_EQ(net_.decider.decide(user, patient("S1"), net_.source, Category::kImaging, now_).reason,
            DenyReason::kUserInactive);
  net_.directory.set_status(user.user_id, hpd::UserStatus::kActive);

  auto f = *net_.directory.find_facility(user.facility_oid);
  f.status = hpd::FacilityStatus::kSuspended;
  net_.directory.update_facility(f);
  EXPECT_EQ(net_.decider.decide(user, patient("S1"), net_.source, Category::kImaging, now_).reason,
            DenyReason::kViewerFacilityInactive);
  EXPECT_TRUE(net_.consents.list_visible_patients(f.oid, now_, {}).items.empty());
  f.status = hpd::FacilityStatus::kActive;
  net_.directory.update_facility(f);

  auto src = *net_.directory.find_facility(net_.source);
  src.status = hpd::FacilityStatus::kRetired;
  net_.directory.update_facility(src);
  EXPECT_EQ(net_.decider.decide(user, patient("S1"), net_.source, Category::kImaging, now_).reason,
            DenyReason::kSourceFacilityInactive);
}

TEST_F(ConsentTest, PolicyEditTakesEffectOnTheNextCall) {
  net_.consents.give(net_.consent_for("R1", std::nullopt, now_ - hours(1)), now_);
  auto pharmacist = net_.users.at({FacilityKind::kPharmacy, Profession::kPharmacist});
  EXPECT_EQ(net_.decider.decide(pharmacist, patient("R1"), net_.source, Category::kLabResults, now_)
                .reason,
            DenyReason::kRoleNotPermitted);
  PgPolicyStore policy(*net_.pool);
  policy.set({Profession::kPharmacist, FacilityKind::kPharmacy, Category::kLabResults, true},
             "secretariat1", now_);
  EXPECT_TRUE(
      net_.decider.decide(pharmacist, patient("R1"), net_.source, Category::kLabResults, now_)
          .allowed);
  EXPECT_TRUE(
      policy.allowed(Profession::kPharmacist, FacilityKind::kPharmacy, Category::kLabResults));
  auto changes = policy.changes({});
  ASSERT_EQ(changes.items.size(), 1u);
  EXPECT_EQ(changes.items[0].changed_by, "secretariat1");
  EXPECT_EQ(changes.items[0].cell.category, Category::kLabResults);
}

TEST_F(ConsentTest, GiveValidatesWithClearMessages) {
  auto expect_unprocessable = [&](NewConsent c, const std::string& field) {
    try {
      net_.consents.give(c, now_);
      FAIL() << "accepted, expected an error on " << field;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kUnprocessable);
      EXPECT_NE(e.external().find(field), std::string::npos) << e.external();
    }
  };
  auto base = net_.consent_for("G1", net_.viewer[FacilityKind::kClinic], now_);
  auto c = base;
  c.source_facility = net_.viewer[FacilityKind::kClinic];  // views, does not disclose
  expect_unprocessable(c, "source_facility");
  c = base;
  c.viewer_facility = net_.source;  // discloses, does not view
  expect_unprocessable(c, "viewer_facility");
  c = base;
  c.expires_at = now_ - hours(1);
  expect_unprocessable(c, "expires_at");
  c = base;
  c.scope = std::set<Category>{};
  expect_unprocessable(c, "scope");
  c = base;
  c.patient.authority = "not-an-oid";
  expect_unprocessable(c, "authority");
  c = base;
  c.patient.local_id.clear();
  expect_unprocessable(c, "local_id");

  base.scope = std::set<Category>{Category::kDiagnoses, Category::kAllergies};
  base.person_id = "person-42";
  auto given = net_.consents.give(base, now_);
  auto back = *net_.consents.find(given.id);
  EXPECT_EQ(back.scope, base.scope);
  EXPECT_EQ(back.person_id, "person-42");
  EXPECT_EQ(hpd::to_us(back.starts_at), hpd::to_us(now_));
  EXPECT_EQ(net_.consents.list_for_patient(base.patient, {}).items.size(), 1u);
}

// Random consents for three viewers; the visible list must be exactly the patients with a
// live consent for the viewer or for all: never an unconsented one, never a missing one.
TEST_F(ConsentTest, VisiblePatientsAreExactlyTheConsentedOnes) {
  const std::vector<std::string> viewers = {net_.viewer[FacilityKind::kClinic],
                                            net_.viewer[FacilityKind::kPharmacy],
                                            net_.viewer[FacilityKind::kHospital]};
  std::mt19937 rng(20241124);
  std::map<std::string, std::set<PatientRef>> expected;
  std::set<PatientRef> everyone;
  for (int i = 0; i < 400; ++i) {
    PatientRef p = patient("R" + std::to_string(i));
    everyone.insert(p);
    const int consents = rng() % 3;  // 0, 1 or 2 consents
    for (int k = 0; k < consents; ++k) {
      const int target = rng() % 4;  // 0..2 one viewer, 3 all
      std::optional<std::string> viewer;
      if (target < 3)
        viewer = viewers[target];
      auto c = net_.consent_for(p.local_id, viewer, now_ - hours(2));
      c.patient = p;
      const int state = rng() % 4;  // live, expired, withdrawn, pending
      if (state == 1)
        c.expires_at = now_ - hours(1);
      if (state == 3)
        c.starts_at = now_ + hours(1);
      auto given = net_.consents.give(c, now_ - hours(2));
      if (state == 2)
        net_.consents.withdraw(given.id, "s", "r", now_ - hours(1));
      if (state == 0) {
        for (int v = 0; v < 3; ++v) {
          if (!viewer || *viewer == viewers[v])
            expected[viewers[v]].insert(p);
        }
      }
    }
  }
  for (const auto& v : viewers) {
    std::set<PatientRef> got;
    hpd::PageRequest req{.limit = 17};
    do {
      auto page = net_.consents.list_visible_patients(v, now_, req);
      EXPECT_LE(page.items.size(), 17u);
      for (const auto& item : page.items) {
        EXPECT_TRUE(expected[v].count(item.patient))
            << "unconsented patient listed: " << item.patient.local_id;
        EXPECT_TRUE(got.insert(item.patient).second) << "listed twice: " << item.patient.local_id;
      }
      req.after = page.next;
    } while (!req.after.empty());
    EXPECT_EQ(got, expected[v]);
    EXPECT_GT(expected[v].size(), 20u);
    EXPECT_LT(expected[v].size(), everyone.size());
  }

  // A search filters in SQL with the consent_visible() predicate (as PDQ must).
  pg::transact(*net_.pool, [&](pg::Tx& tx) {
    tx.exec_trusted("CREATE TABLE search_patients (authority text, local_id text, name text)");
    for (const auto& p : everyone) {
      tx.raw().exec_params("INSERT INTO search_patients VALUES ($1, $2, 'YAMADA')", p.authority,
                           p.local_id);
    }
  });
  for (const auto& v : viewers) {
    std::set<PatientRef> got;
    pg::transact(*net_.pool, [&](pg::Tx& tx) {
      auto res = tx.raw().exec_params(
          "SELECT p.authority, p.local_id FROM search_patients p WHERE p.name = 'YAMADA' AND "
          "consent_visible($1, hy_ts($2), p.authority, p.local_id) "
          "ORDER BY p.authority, p.local_id LIMIT 1000",
          v, hpd::to_us(now_));
      for (const auto& r : res)
        got.insert({r[0].as<std::string>(), r[1].as<std::string>()});
    });
    EXPECT_EQ(got, expected[v]);
  }
}

}  // namespace
}  // namespace hareyaka::consent
