// The care team's rules with no I/O: the care professions (the directory's professions and
// the care professions the directory has no licence for: ケアマネジャー, 訪問介護員, 理学療法士,
// 作業療法士, 管理栄養士, ...), which directory profession may hold each, the timeline column
// of each (医療 / 看護 / 薬剤 / 介護), and the team's access decision over the facts one SQL
// statement reads (portal/care/care_store.cpp). Default deny; the first failing check is the
// reason, in this order:
//   1. the user is active and still has the session's profession and facility
//   2. the user's facility is active
//   3. the user is an active member of the person's team (not invited only, not left, not
//      removed; no team looks the same as not being a member)
//   4. the team's consent is in force (not withdrawn)
//   5. the consent admits the member's facility, and a read-only patient/family member only
//      while it allows one
//   6. for a write: the member is not read-only
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hpd/user.hpp"

namespace hareyaka::care {

enum class CareProfession {
  kDoctor,
  kDentist,
  kPharmacist,
  kNurse,
  kPublicHealthNurse,
  kCareManager,            // ケアマネジャー (介護支援専門員)
  kHomeHelper,             // 訪問介護員
  kCareWorker,             // 介護福祉士
  kPhysicalTherapist,      // 理学療法士
  kOccupationalTherapist,  // 作業療法士
  kSpeechTherapist,        // 言語聴覚士
  kDietitian,              // 管理栄養士
  kSocialWorker,           // 社会福祉士 / MSW
  kPatient,                // the patient (read-only)
  kFamily,                 // a family member (read-only)
};

std::string_view to_string(CareProfession p);
std::optional<CareProfession> parse_care_profession(std::string_view s);
// 医師, 歯科医師, 薬剤師, 看護師, 保健師, ケアマネジャー, 訪問介護員, ...
std::string_view japanese_name(CareProfession p);

// The timeline's columns.
enum class Column { kMedical, kNursing, kPharmacy, kCare, kNone };
std::string_view to_string(Column c);  // "medical" "nursing" "pharmacy" "care" "none"
std::optional<Column> parse_column(std::string_view s);
Column column_of(CareProfession p);

// Whether a user of this directory profession may be a member as `care`: the licensed care
// professions need the matching directory profession (doctor, dentist, pharmacist, nurse or
// midwife, public health nurse, therapist, care manager); the unlicensed ones (訪問介護員,
// 介護福祉士, 管理栄養士, 社会福祉士) and patient/family accounts are clerks or care managers
// of their facility. The network's own staff (secretariat, prefecture) never.
bool may_hold(hpd::Profession directory, CareProfession care);
// Patient and family members are always read-only.
bool always_read_only(CareProfession care);

// What the decision reads for one caller and one person.
struct AccessFacts {
  bool user_found = false;
  bool user_active = false;
  std::string user_profession;  // hpd::to_string of the directory row
  std::string user_facility;
  bool facility_active = false;
  bool team_found = false;
  std::optional<std::string> member_status;  // the newest membership row of the user
  bool member_read_only = false;
  bool consent_found = false;
  bool consent_withdrawn = false;
  bool consent_all_facilities = false;
  std::vector<std::string> consent_facilities;
  bool consent_reader_allowed = false;
};

// The session's view of the caller.
struct SessionUser {
  hpd::Profession profession = hpd::Profession::kClerk;
  std::string facility_oid;
};

enum class Need { kRead, kWrite };

// "" when allowed; otherwise the reason code (user_inactive, user_changed,
// facility_inactive, not_a_care_team_member, invitation_not_accepted, left_care_team,
// removed_from_care_team, care_team_consent_withdrawn, facility_not_in_team_consent,
// reader_not_in_team_consent, read_only_member).
std::string_view decide(const AccessFacts& f, const SessionUser& s, Need need);
// A sentence for the user, for each reason code (names no patient data).
std::string_view reason_text(std::string_view code);

// Whether the consent admits a user of this facility (as a member of this kind).
bool consent_admits(const AccessFacts& f, const std::string& facility_oid, bool read_only);

}  // namespace hareyaka::care
