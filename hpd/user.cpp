#include "hpd/user.hpp"

namespace hareyaka::hpd {

std::string_view to_string(Profession p) {
  switch (p) {
    case Profession::kDoctor:
      return "doctor";
    case Profession::kDentist:
      return "dentist";
    case Profession::kPharmacist:
      return "pharmacist";
    case Profession::kNurse:
      return "nurse";
    case Profession::kPublicHealthNurse:
      return "public_health_nurse";
    case Profession::kMidwife:
      return "midwife";
    case Profession::kTherapist:
      return "therapist";
    case Profession::kCareManager:
      return "care_manager";
    case Profession::kClerk:
      return "clerk";
    case Profession::kSecretariatAdmin:
      return "secretariat_admin";
    case Profession::kPrefectureOfficer:
      return "prefecture_officer";
    case Profession::kDataManager:
      return "data_manager";
  }
  return "unknown";
}

std::optional<Profession> parse_profession(std::string_view s) {
  for (auto p : kAllProfessions) {
    if (to_string(p) == s)
      return p;
  }
  return std::nullopt;
}

std::string_view to_string(UserStatus s) {
  switch (s) {
    case UserStatus::kActive:
      return "active";
    case UserStatus::kLocked:
      return "locked";
    case UserStatus::kRetired:
      return "retired";
  }
  return "unknown";
}

std::optional<UserStatus> parse_user_status(std::string_view s) {
  for (auto v : {UserStatus::kActive, UserStatus::kLocked, UserStatus::kRetired}) {
    if (to_string(v) == s)
      return v;
  }
  return std::nullopt;
}

bool is_valid_login_id(std::string_view id) {
  if (id.size() < 3 || id.size() > 64)
    return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '@' || c == '-';
    if (!ok)
      return false;
  }
  return true;
}

}  // namespace hareyaka::hpd
