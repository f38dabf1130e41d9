// The two login flows over the directory, returning outcomes as values for the HTTP layer:
//
// Password + TOTP (login):
//   1. unknown login id -> kInvalidCredentials (a dummy hash is verified so timing does not
//      tell known from unknown ids)
//   2. locked_until in the future -> kLocked, with the time; nothing else is checked
//   3. wrong password -> the failure is counted; at max_failures the account is locked for
//      lock_for (kLocked), else kInvalidCredentials
//   4. status locked/retired -> kAccountDisabled (after a correct password only)
//   5. no TOTP secret yet -> kTotpEnrolmentRequired: the HTTP layer calls begin_enrolment()
//      and then complete_enrolment() with the first code (first-login enrolment)
//   6. no code -> kTotpRequired; a secret this portal's keys do not open -> Error(kUnavailable)
//      naming the key id (an operator error, not counted against the user); a wrong code counts as
//      a failure (kInvalidSecondFactor or kLocked); a code whose step was used before ->
//      kTotpReplayed (also counted)
//   7. success: counter reset, the hash upgraded if made with older parameters -> kOk
//
// HPKI (login_hpki): verify the certificate, find the user bound to it (issuer + serial, or
// subject), require an active account whose profession equals the certificate's role.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "hpd/directory_store.hpp"
#include "portal/auth/hpki_verifier.hpp"
#include "portal/auth/password.hpp"
#include "portal/auth/secret_box.hpp"
#include "portal/auth/totp.hpp"

namespace hareyaka::auth {

struct LockoutPolicy {
  int max_failures = 5;
  std::chrono::seconds lock_for{std::chrono::minutes(15)};
};

enum class LoginStatus {
  kOk,
  kInvalidCredentials,
  kLocked,
  kAccountDisabled,
  kTotpRequired,
  kTotpEnrolmentRequired,
  kInvalidSecondFactor,
  kTotpReplayed,
  kCertificateRejected,  // see hpki_error
  kCertificateNotRegistered,
  kProfessionMismatch,
};
std::string_view to_string(LoginStatus s);

struct LoginResult {
  LoginStatus status = LoginStatus::kInvalidCredentials;
  std::string message;            // for the user: says what to do
  std::optional<hpd::User> user;  // set from kAccountDisabled on (the password was right)
  std::optional<hpd::TimePoint> locked_until;
  HpkiError hpki_error = HpkiError::kNone;
  bool ok() const { return status == LoginStatus::kOk; }
};

struct TotpEnrolment {
  std::string secret_base32;
  std::string otpauth_uri;  // for the QR code
};

struct AuthenticatorSettings {
  PasswordHashing hashing = PasswordHashing::interactive();
  LockoutPolicy lockout;
  TotpSettings totp;
  std::string totp_issuer = "Hareyaka";
  // Seals new TOTP secrets and opens stored ones (see totp_at_rest.hpp). Without keys new
  // secrets are stored in plain base32 (dev/demo only).
  SecretBox totp_box;
};

class Authenticator {
 public:
  Authenticator(hpd::DirectoryStore& directory, AuthenticatorSettings settings);

  LoginResult login(const std::string& login_id, std::string_view password,
                    std::string_view totp_code, hpd::TimePoint now);
  LoginResult login_hpki(const HpkiVerifier& verifier, std::string_view certificate,
                         hpd::TimePoint now);

  // A fresh secret and its URI; nothing is stored until complete_enrolment succeeds.
  TotpEnrolment begin_enrolment(const hpd::User& user) const;
  // Stores the secret if `code` is valid for it now (and claims that step). Only for a user
  // without a secret (a reset by the secretariat clears it first).
  LoginResult complete_enrolment(std::int64_t user_id, const std::string& secret_base32,
                                 std::string_view code, hpd::TimePoint now);

  // Checks the rules, hashes and stores; returns the rule broken, if any.
  std::optional<PasswordCheck> set_password(std::int64_t user_id, std::string_view new_password,
                                            hpd::TimePoint now);

 private:
  // The base32 secret of an enrolled user. Throws Error(kUnavailable) naming the key id
  // when it is sealed under a key this portal lacks or does not open.
  std::string stored_totp_secret(const hpd::User& u) const;
  LoginResult counted_failure(const hpd::User& u, LoginStatus status, std::string message,
                              hpd::TimePoint now);

  hpd::DirectoryStore& directory_;
  AuthenticatorSettings settings_;
  std::string dummy_hash_;
};

}  // namespace hareyaka::auth
