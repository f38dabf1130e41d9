// Passwords: argon2id hashing through libsodium's crypto_pwhash_str family, and the
// password rules.
//
// Rules (check_password_rules):
//   - at least 12 characters (Unicode code points), at most 128 bytes of valid UTF-8
//   - not containing the login id (case-insensitive), since it is public
//   - at least three of four classes: lower-case, upper-case, digits, other (symbols and
//     any non-ASCII character such as kana or kanji)
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hareyaka::auth {

struct PasswordHashing {
  unsigned long long ops_limit;  // argon2id passes
  std::size_t mem_limit;         // bytes

  // libsodium's "interactive" parameters (2 passes, 64 MiB): the default for logins.
  static PasswordHashing interactive();
  // The minimum libsodium allows; for tests only.
  static PasswordHashing fastest_for_tests();
};

// "$argon2id$v=19$m=...,t=...,p=1$salt$hash". Throws Error kInternal if libsodium fails
// (out of memory).
std::string hash_password(std::string_view password, const PasswordHashing& params);
// Constant-time verification; false for a wrong password or a malformed hash.
bool verify_password(const std::string& hash, std::string_view password);
// True when the hash was made with other parameters (rehash after a successful login).
bool needs_rehash(const std::string& hash, const PasswordHashing& params);

enum class PasswordProblem { kTooShort, kTooLong, kNotUtf8, kContainsLoginId, kTooFewClasses };

struct PasswordCheck {
  PasswordProblem problem;
  std::string message;  // for the user
};

std::optional<PasswordCheck> check_password_rules(std::string_view password,
                                                  std::string_view login_id);

}  // namespace hareyaka::auth
