#include "portal/audit/audited_decision.hpp"

#include <gtest/gtest.h>

#include "portal/audit/audit_log.hpp"
#include "portal/audit/migrations.hpp"
#include "tests/consent/consent_fixture.hpp"

namespace hareyaka::audit {
namespace {

using hpd::FacilityKind;
using hpd::Profession;
using std::chrono::hours;

TEST(AuditedDecision, EveryDecisionIsRecordedWithItsReason) {
  testing::ConsentNetwork net;
  pg::apply_migrations(*net.pool, {&migrations()});
  const auto now = hpd::Clock::now();
  net.consents.give(net.consent_for("A1", net.viewer[FacilityKind::kPharmacy], now - hours(1)),
                    now);
  const auto& pharmacist = net.users.at({FacilityKind::kPharmacy, Profession::kPharmacist});
  AccessRequest req{pharmacist, {net.source_domain, "A1"},
                    net.source, consent::Category::kPrescriptions,
                    "person-9", "req-1"};
  auto allowed = decide_and_audit(*net.pool, req, now);
  EXPECT_TRUE(allowed.decision.allowed);
  req.category = consent::Category::kImaging;
  req.request_id = "req-2";
  auto denied = decide_and_audit(*net.pool, req, now);
  EXPECT_FALSE(denied.decision.allowed);
  EXPECT_EQ(denied.audit_seq, allowed.audit_seq + 1);

  AuditLog log(*net.pool);
  auto report = log.access_report(net.source_domain, "A1", {});
  ASSERT_EQ(report.items.size(), 2u);
  const auto& d = report.items[0];  // newest first
  EXPECT_EQ(d.outcome, Outcome::kDenied);
  EXPECT_EQ(d.reason, "role_not_permitted");
  EXPECT_EQ(d.category, "imaging");
  EXPECT_EQ(d.actor_user, pharmacist.login_id);
  EXPECT_EQ(d.actor_profession, "pharmacist");
  EXPECT_EQ(d.actor_facility, pharmacist.facility_oid);
  EXPECT_EQ(d.source_facility, net.source);
  EXPECT_EQ(d.person_id, "person-9");
  EXPECT_EQ(d.request_id, "req-2");
  EXPECT_EQ(report.items[1].outcome, Outcome::kSuccess);
  EXPECT_EQ(report.items[1].reason, "");
  EXPECT_TRUE(log.verify_chain().ok);
}

}  // namespace
}  // namespace hareyaka::audit
