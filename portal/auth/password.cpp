#include "portal/auth/password.hpp"

#include <sodium.h>

#include <algorithm>
#include <cctype>

#include "common/error.hpp"

namespace hareyaka::auth {
namespace {

void ensure_sodium() {
  static const bool ok = sodium_init() >= 0;
  if (!ok)
    throw Error(ErrorCode::kInternal, "internal error", "sodium_init failed");
}

// Counts code points; std::nullopt if the bytes are not valid UTF-8.
std::optional<std::size_t> utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size(); ++n) {
    const unsigned char c = s[i];
    const int extra = c < 0x80             ? 0
                      : (c & 0xE0) == 0xC0 ? 1
                      : (c & 0xF0) == 0xE0 ? 2
                      : (c & 0xF8) == 0xF0 ? 3
                                           : -1;
    if (extra < 0 || i + extra >= s.size())
      return std::nullopt;
    for (int k = 1; k <= extra; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80)
        return std::nullopt;
    }
    i += 1 + extra;
  }
  return n;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

PasswordHashing PasswordHashing::interactive() {
  return {crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE, crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE};
}

PasswordHashing PasswordHashing::fastest_for_tests() {
  return {crypto_pwhash_argon2id_OPSLIMIT_MIN, crypto_pwhash_argon2id_MEMLIMIT_MIN};
}

std::string hash_password(std::string_view password, const PasswordHashing& params) {
  ensure_sodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), params.ops_limit,
                            params.mem_limit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw Error(ErrorCode::kInternal, "internal error", "crypto_pwhash_str_alg failed");
  }
  return out;
}

bool verify_password(const std::string& hash, std::string_view password) {
  ensure_sodium();
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES)
    return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

bool needs_rehash(const std::string& hash, const PasswordHashing& params) {
  ensure_sodium();
  return crypto_pwhash_str_needs_rehash(hash.c_str(), params.ops_limit, params.mem_limit) != 0;
}

std::optional<PasswordCheck> check_password_rules(std::string_view pw, std::string_view login_id) {
  if (pw.size() > 128) {
    return PasswordCheck{PasswordProblem::kTooLong, "the password is longer than 128 bytes"};
  }
  auto len = utf8_length(pw);
  if (!len)
    return PasswordCheck{PasswordProblem::kNotUtf8, "the password is not valid UTF-8"};
  if (*len < 12) {
    return PasswordCheck{PasswordProblem::kTooShort,
                         "the password must have at least 12 characters"};
  }
  if (!login_id.empty() && lower(pw).find(lower(login_id)) != std::string::npos) {
    return PasswordCheck{PasswordProblem::kContainsLoginId,
                         "the password must not contain the login id"};
  }
  bool lo = false, up = false, digit = false, other = false;
  for (unsigned char c : pw) {
    if (c >= 'a' && c <= 'z') {
      lo = true;
    } else if (c >= 'A' && c <= 'Z') {
      up = true;
    } else if (c >= '0' && c <= '9') {
      digit = true;
    } else {
      other = true;
    }
  }
  if (lo + up + digit + other < 3) {
    return PasswordCheck{PasswordProblem::kTooFewClasses,
                         "the password must mix at least three of: lower-case letters, "
                         "upper-case letters, digits, symbols or other characters"};
  }
  return std::nullopt;
}

}  // namespace hareyaka::auth
