// The per-request statements must be index lookups whatever the table sizes: with
// sequential scans disabled, a plan that still contains "Seq Scan" on a big table has no
// usable index. The statements are prepared by the stores on the pool's single connection
// and then EXPLAINed by name.
#include <gtest/gtest.h>

#include "tests/consent/consent_fixture.hpp"

namespace hareyaka::consent {
namespace {

std::string plan(pg::Pool& pool, const std::string& execute) {
  return pg::transact(pool, [&](pg::Tx& tx) {
    tx.exec_trusted("SET LOCAL enable_seqscan = off");
    std::string out;
    for (const auto& row : tx.exec_trusted("EXPLAIN " + execute)) {
      out += row[0].as<std::string>() + "\n";
    }
    return out;
  });
}

TEST(QueryPlans, DecisionListingAndSearchPredicateUseIndexes) {
  auto pool = testing::fresh_pool({&hpd::migrations(), &consent::migrations()}, 1);
  hpd::PgDirectoryStore dir(*pool);
  dir.create_facility(testing::make_facility(100, hpd::FacilityKind::kHospital, true, false));
  auto viewer = testing::make_facility(201, hpd::FacilityKind::kClinic, false, true);
  dir.create_facility(viewer);
  auto uid = dir.create_user(testing::make_user("dr.a", viewer.oid, hpd::Profession::kDoctor));
  PgConsentStore store(*pool);
  Decider decider(*pool);
  const auto now = hpd::Clock::now();
  const std::string source = testing::facility_oid(100);
  NewConsent c;
  c.patient = {hpd::patient_id_domain(source), "P1"};
  c.source_facility = source;
  c.viewer_facility = viewer.oid;
  c.starts_at = now;
  c.registered_by = "s";
  store.give(c, now);
  // Prepare the statements on the single connection.
  decider.decide({uid, "dr.a", hpd::Profession::kDoctor, viewer.oid}, c.patient, source,
                 Category::kDiagnoses, now);
  store.list_visible_patients(viewer.oid, now, {});

  const std::string us = std::to_string(hpd::to_us(now));
  auto decide_plan = plan(*pool, "EXECUTE consent_decide(" + std::to_string(uid) + ", '" +
                                     viewer.oid + "', '" + source + "', '" + c.patient.authority +
                                     "', 'P1', 'diagnoses', " + us + ", 'doctor')");
  EXPECT_EQ(decide_plan.find("Seq Scan on consents"), std::string::npos) << decide_plan;
  EXPECT_NE(decide_plan.find("consents_patient"), std::string::npos) << decide_plan;

  auto list_plan =
      plan(*pool, "EXECUTE consent_list_visible('" + viewer.oid + "', " + us + ", '', '', 50)");
  EXPECT_EQ(list_plan.find("Seq Scan on consents"), std::string::npos) << list_plan;
  EXPECT_NE(list_plan.find("consents_viewer"), std::string::npos) << list_plan;

  auto search_plan = plan(*pool, "SELECT consent_visible('" + viewer.oid + "', hy_ts(" + us +
                                     "), '" + c.patient.authority + "', 'P1')");
  EXPECT_EQ(search_plan.find("Seq Scan on consents"), std::string::npos) << search_plan;
}

}  // namespace
}  // namespace hareyaka::consent
