// The care team's rules without a database: professions and their columns, which directory
// profession may hold each care profession, and the access decision's order of checks.
#include "portal/care/care_rules.hpp"

#include <gtest/gtest.h>

namespace hareyaka::care {
namespace {

using hpd::Profession;

AccessFacts member_facts() {
  AccessFacts f;
  f.user_found = f.user_active = f.facility_active = f.team_found = f.consent_found = true;
  f.user_profession = "nurse";
  f.user_facility = "1.2.3";
  f.member_status = "active";
  f.consent_all_facilities = true;
  return f;
}

const SessionUser kNurse{Profession::kNurse, "1.2.3"};

TEST(CareRules, ProfessionsRoundTripAndHaveTheirColumn) {
  for (const char* name :
       {"doctor", "dentist", "pharmacist", "nurse", "public_health_nurse", "care_manager",
        "home_helper", "care_worker", "physical_therapist", "occupational_therapist",
        "speech_therapist", "dietitian", "social_worker", "patient", "family"}) {
    auto p = parse_care_profession(name);
    ASSERT_TRUE(p) << name;
    EXPECT_EQ(to_string(*p), name);
    EXPECT_FALSE(japanese_name(*p).empty());
  }
  EXPECT_FALSE(parse_care_profession("clerk"));
  EXPECT_EQ(column_of(CareProfession::kDoctor), Column::kMedical);
  EXPECT_EQ(column_of(CareProfession::kNurse), Column::kNursing);
  EXPECT_EQ(column_of(CareProfession::kPharmacist), Column::kPharmacy);
  EXPECT_EQ(column_of(CareProfession::kCareManager), Column::kCare);
  EXPECT_EQ(column_of(CareProfession::kHomeHelper), Column::kCare);
  EXPECT_EQ(column_of(CareProfession::kPatient), Column::kNone);
  EXPECT_EQ(japanese_name(CareProfession::kCareManager), "ケアマネジャー");
  EXPECT_EQ(parse_column("pharmacy"), Column::kPharmacy);
  EXPECT_FALSE(parse_column("nurse"));
}

TEST(CareRules, LicensedCareProfessionsNeedTheirDirectoryProfession) {
  EXPECT_TRUE(may_hold(Profession::kDoctor, CareProfession::kDoctor));
  EXPECT_FALSE(may_hold(Profession::kNurse, CareProfession::kDoctor));
  EXPECT_TRUE(may_hold(Profession::kMidwife, CareProfession::kNurse));
  EXPECT_TRUE(may_hold(Profession::kTherapist, CareProfession::kPhysicalTherapist));
  EXPECT_TRUE(may_hold(Profession::kTherapist, CareProfession::kOccupationalTherapist));
  EXPECT_FALSE(may_hold(Profession::kClerk, CareProfession::kPhysicalTherapist));
  EXPECT_TRUE(may_hold(Profession::kCareManager, CareProfession::kCareManager));
  EXPECT_TRUE(may_hold(Profession::kClerk, CareProfession::kHomeHelper));
  EXPECT_TRUE(may_hold(Profession::kClerk, CareProfession::kDietitian));
  EXPECT_TRUE(may_hold(Profession::kClerk, CareProfession::kFamily));
  EXPECT_FALSE(may_hold(Profession::kDoctor, CareProfession::kFamily));
  // The network's own staff are never members.
  for (auto c : {CareProfession::kHomeHelper, CareProfession::kPatient})
    EXPECT_FALSE(may_hold(Profession::kSecretariatAdmin, c));
  EXPECT_FALSE(may_hold(Profession::kPrefectureOfficer, CareProfession::kCareWorker));
  EXPECT_FALSE(may_hold(Profession::kDataManager, CareProfession::kHomeHelper));
  EXPECT_TRUE(always_read_only(CareProfession::kPatient));
  EXPECT_TRUE(always_read_only(CareProfession::kFamily));
  EXPECT_FALSE(always_read_only(CareProfession::kHomeHelper));
}

TEST(CareRules, AnActiveMemberUnderALiveConsentReadsAndWrites) {
  const auto f = member_facts();
  EXPECT_EQ(decide(f, kNurse, Need::kRead), "");
  EXPECT_EQ(decide(f, kNurse, Need::kWrite), "");
}

TEST(CareRules, TheFirstFailingCheckIsTheReason) {
  auto f = member_facts();
  f.user_active = false;
  f.member_status = std::nullopt;  // would fail too, later
  EXPECT_EQ(decide(f, kNurse, Need::kRead), "user_inactive");
  f = member_facts();
  EXPECT_EQ(decide(f, {Profession::kDoctor, "1.2.3"}, Need::kRead), "user_changed");
  EXPECT_EQ(decide(f, {Profession::kNurse, "9.9.9"}, Need::kRead), "user_changed");
  f.facility_active = false;
  EXPECT_EQ(decide(f, kNurse, Need::kRead), "facility_inactive");
  // No team and no membership look the same.
  f = member_facts();
  f.team_found = false;
  EXPECT_EQ(decide(f, kNurse, Need::kRead), "not_a_care_team_member");
  f = member_facts();
  f.member_status = std::nullopt;
  f.consent_withdrawn = true;  // a non-member does not learn of the withdrawal
  EXPECT_EQ(decide(f, kNurse, Need::kRead), "not_a_care_team_member");
  for (const auto& [status, code] :
       std::vector<std::pair<std::string, std::string>>{{"invited", "invitation_not_accepted"},
                                                        {"left", "left_care_team"},
                                                        {"removed", "removed_from_care_team"},
                                                        {"declined", "not_a_care_team_member"}}) {
    f = member_facts();
    f.member_status = status;
    EXPECT_EQ(decide(f, kNurse, Need::kRead), code) << status;
    EXPECT_NE(reason_text(code), "not permitted") << code;
  }
}

TEST(CareRules, AWithdrawnOrNarrowerConsentRefusesMembers) {
  auto f = member_facts();
  f.consent_withdrawn = true;
  EXPECT_EQ(decide(f, kNurse, Need::kRead), "care_team_consent_withdrawn");
  f = member_facts();
  f.consent_found = false;
  EXPECT_EQ(decide(f, kNurse, Need::kRead), "care_team_consent_withdrawn");
  f = member_facts();
  f.consent_all_facilities = false;
  f.consent_facilities = {"4.5.6"};
  EXPECT_EQ(decide(f, kNurse, Need::kRead), "facility_not_in_team_consent");
  f.consent_facilities = {"4.5.6", "1.2.3"};
  EXPECT_EQ(decide(f, kNurse, Need::kRead), "");
}

TEST(CareRules, AReadOnlyMemberReadsOnlyAndOnlyWhileTheConsentAllowsAReader) {
  auto f = member_facts();
  f.member_read_only = true;
  f.consent_reader_allowed = true;
  EXPECT_EQ(decide(f, kNurse, Need::kRead), "");
  EXPECT_EQ(decide(f, kNurse, Need::kWrite), "read_only_member");
  f.consent_reader_allowed = false;
  EXPECT_EQ(decide(f, kNurse, Need::kRead), "reader_not_in_team_consent");
  EXPECT_FALSE(consent_admits(f, "1.2.3", true));
  EXPECT_TRUE(consent_admits(f, "1.2.3", false));
}

}  // namespace
}  // namespace hareyaka::care
