// A person who logs in to the portal: staff of one facility, with a profession that (with the
// facility's kind) decides which data categories they may see. Credentials live here too:
// the argon2id password hash, the TOTP secret and the last TOTP step used (replay guard),
// the HPKI certificate binding and the lockout counters.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hpd/time.hpp"

namespace hareyaka::hpd {

enum class Profession {
  kDoctor,
  kDentist,
  kPharmacist,
  kNurse,
  kPublicHealthNurse,
  kMidwife,
  kTherapist,
  kCareManager,
  kClerk,
  kSecretariatAdmin,
  // Reads the usage statistics with small cells suppressed, and nothing else (#21).
  kPrefectureOfficer,
  // 施設データ管理者: uploads its own facility's SS-MIX2 exports to the hosted gateway (#17);
  // sees no patient data.
  kDataManager,
};

inline constexpr std::array kAllProfessions = {
    Profession::kDoctor,
    Profession::kDentist,
    Profession::kPharmacist,
    Profession::kNurse,
    Profession::kPublicHealthNurse,
    Profession::kMidwife,
    Profession::kTherapist,
    Profession::kCareManager,
    Profession::kClerk,
    Profession::kSecretariatAdmin,
    Profession::kPrefectureOfficer,
    Profession::kDataManager,
};

// "doctor", "dentist", "pharmacist", "nurse", "public_health_nurse", "midwife", "therapist",
// "care_manager", "clerk", "secretariat_admin", "prefecture_officer", "data_manager"
std::string_view to_string(Profession p);
std::optional<Profession> parse_profession(std::string_view s);
// The network's own staff (secretariat, prefecture) and the facilities' data managers, who are
// no healthcare providers: granted by the secretariat only (console or its directory import),
// never through HPD or a directory feed, and not listed in the provider directory.
constexpr bool is_console_only(Profession p) {
  return p == Profession::kSecretariatAdmin || p == Profession::kPrefectureOfficer ||
         p == Profession::kDataManager;
}

// active: may log in. locked: locked by the secretariat until unlocked (the automatic,
// time-limited lockout after failed logins is locked_until, not this status). retired: gone.
enum class UserStatus { kActive, kLocked, kRetired };
std::string_view to_string(UserStatus s);
std::optional<UserStatus> parse_user_status(std::string_view s);

struct HpkiBinding {
  std::string issuer;   // issuer DN, RFC 2253
  std::string serial;   // serial number, upper-case hex without leading zeros
  std::string subject;  // subject DN, RFC 2253 (alternative binding, survives re-issue)
};

struct User {
  std::int64_t id = 0;
  std::string facility_oid;
  Profession profession = Profession::kClerk;
  std::string login_id;
  std::string display_name;
  std::string password_hash;  // argon2id string ($argon2id$...); empty: no password login
  std::string totp_secret;    // v1:<key id>:... sealed (portal/auth/totp_at_rest.hpp) or plain
                              // base32 (no key configured); empty: not enrolled yet
  std::optional<std::int64_t> totp_last_step;
  HpkiBinding hpki;
  UserStatus status = UserStatus::kActive;
  int failed_attempts = 0;
  std::optional<TimePoint> locked_until;
  std::optional<TimePoint> password_changed_at;
};

// Login ids: 3..64 characters of [A-Za-z0-9._@-].
bool is_valid_login_id(std::string_view login_id);

}  // namespace hareyaka::hpd
