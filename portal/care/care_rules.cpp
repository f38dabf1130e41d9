#include "portal/care/care_rules.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace hareyaka::care {
namespace {

struct ProfessionRow {
  CareProfession p;
  std::string_view name;
  std::string_view japanese;
  Column column;
};

constexpr std::array kProfessions = {
    ProfessionRow{CareProfession::kDoctor, "doctor", "医師", Column::kMedical},
    ProfessionRow{CareProfession::kDentist, "dentist", "歯科医師", Column::kMedical},
    ProfessionRow{CareProfession::kPharmacist, "pharmacist", "薬剤師", Column::kPharmacy},
    ProfessionRow{CareProfession::kNurse, "nurse", "看護師", Column::kNursing},
    ProfessionRow{CareProfession::kPublicHealthNurse, "public_health_nurse", "保健師",
                  Column::kNursing},
    ProfessionRow{CareProfession::kCareManager, "care_manager", "ケアマネジャー", Column::kCare},
    ProfessionRow{CareProfession::kHomeHelper, "home_helper", "訪問介護員", Column::kCare},
    ProfessionRow{CareProfession::kCareWorker, "care_worker", "介護福祉士", Column::kCare},
    ProfessionRow{CareProfession::kPhysicalTherapist, "physical_therapist", "理学療法士",
                  Column::kCare},
    ProfessionRow{CareProfession::kOccupationalTherapist, "occupational_therapist", "作業療法士",
                  Column::kCare},
    ProfessionRow{CareProfession::kSpeechTherapist, "speech_therapist", "言語聴覚士",
                  Column::kCare},
    ProfessionRow{CareProfession::kDietitian, "dietitian", "管理栄養士", Column::kCare},
    ProfessionRow{CareProfession::kSocialWorker, "social_worker", "社会福祉士", Column::kCare},
    ProfessionRow{CareProfession::kPatient, "patient", "本人", Column::kNone},
    ProfessionRow{CareProfession::kFamily, "family", "家族", Column::kNone},
};

const ProfessionRow& row(CareProfession p) {
  return *std::find_if(kProfessions.begin(), kProfessions.end(),
                       [p](const ProfessionRow& r) { return r.p == p; });
}

constexpr std::array<std::pair<Column, std::string_view>, 5> kColumns = {{
    {Column::kMedical, "medical"},
    {Column::kNursing, "nursing"},
    {Column::kPharmacy, "pharmacy"},
    {Column::kCare, "care"},
    {Column::kNone, "none"},
}};

constexpr std::array<std::pair<std::string_view, std::string_view>, 11> kReasons = {{
    {"user_inactive", "your account is not active"},
    {"user_changed", "your profession or facility changed; please log in again"},
    {"facility_inactive", "your facility is not active in the network"},
    {"not_a_care_team_member", "you are not a member of this person's care team"},
    {"invitation_not_accepted", "accept the invitation to the care team first"},
    {"left_care_team", "you left this care team"},
    {"removed_from_care_team", "you were removed from this care team"},
    {"care_team_consent_withdrawn", "the patient's consent to the care team is withdrawn"},
    {"facility_not_in_team_consent",
     "the patient's consent to the care team does not include your facility"},
    {"reader_not_in_team_consent",
     "the patient's consent to the care team does not allow a patient or family reader"},
    {"read_only_member", "read-only members may not write in the care team"},
}};

}  // namespace

std::string_view to_string(CareProfession p) {
  return row(p).name;
}

std::optional<CareProfession> parse_care_profession(std::string_view s) {
  for (const auto& r : kProfessions) {
    if (r.name == s)
      return r.p;
  }
  return std::nullopt;
}

std::string_view japanese_name(CareProfession p) {
  return row(p).japanese;
}

std::string_view to_string(Column c) {
  for (const auto& [col, name] : kColumns) {
    if (col == c)
      return name;
  }
  return "none";
}

std::optional<Column> parse_column(std::string_view s) {
  for (const auto& [col, name] : kColumns) {
    if (name == s)
      return col;
  }
  return std::nullopt;
}

Column column_of(CareProfession p) {
  return row(p).column;
}

bool always_read_only(CareProfession care) {
  return care == CareProfession::kPatient || care == CareProfession::kFamily;
}

bool may_hold(hpd::Profession d, CareProfession care) {
  using P = hpd::Profession;
  using C = CareProfession;
  if (hpd::is_console_only(d))
    return false;
  switch (care) {
    case C::kDoctor:
      return d == P::kDoctor;
    case C::kDentist:
      return d == P::kDentist;
    case C::kPharmacist:
      return d == P::kPharmacist;
    case C::kNurse:
      return d == P::kNurse || d == P::kMidwife;
    case C::kPublicHealthNurse:
      return d == P::kPublicHealthNurse;
    case C::kCareManager:
      return d == P::kCareManager;
    case C::kPhysicalTherapist:
    case C::kOccupationalTherapist:
    case C::kSpeechTherapist:
      return d == P::kTherapist;
    case C::kHomeHelper:
    case C::kCareWorker:
    case C::kDietitian:
    case C::kSocialWorker:
      return d == P::kClerk || d == P::kCareManager;
    case C::kPatient:
    case C::kFamily:
      return d == P::kClerk;
  }
  return false;
}

bool consent_admits(const AccessFacts& f, const std::string& facility_oid, bool read_only) {
  if (read_only && !f.consent_reader_allowed)
    return false;
  return f.consent_all_facilities ||
         std::find(f.consent_facilities.begin(), f.consent_facilities.end(), facility_oid) !=
             f.consent_facilities.end();
}

std::string_view decide(const AccessFacts& f, const SessionUser& s, Need need) {
  if (!f.user_found || !f.user_active)
    return "user_inactive";
  if (f.user_profession != hpd::to_string(s.profession) || f.user_facility != s.facility_oid)
    return "user_changed";
  if (!f.facility_active)
    return "facility_inactive";
  if (!f.team_found || !f.member_status || *f.member_status == "declined")
    return "not_a_care_team_member";
  if (*f.member_status == "invited")
    return "invitation_not_accepted";
  if (*f.member_status == "left")
    return "left_care_team";
  if (*f.member_status != "active")
    return "removed_from_care_team";
  if (!f.consent_found || f.consent_withdrawn)
    return "care_team_consent_withdrawn";
  if (f.member_read_only && !f.consent_reader_allowed)
    return "reader_not_in_team_consent";
  if (!consent_admits(f, f.user_facility, false))
    return "facility_not_in_team_consent";
  if (need == Need::kWrite && f.member_read_only)
    return "read_only_member";
  return "";
}

std::string_view reason_text(std::string_view code) {
  for (const auto& [c, text] : kReasons) {
    if (c == code)
      return text;
  }
  return "not permitted";
}

}  // namespace hareyaka::care
