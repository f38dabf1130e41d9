// The two login flows over the directory, returning outcomes as values for the HTTP layer:
//
// Password + TOTP (login):
//   1. unknown login id -> kInvalidCredentials (a dummy hash is verified so timing does not
//      tell known from unknown ids)
//   2. locked_until in the future -> kLocked, with the time; nothing else is checked
//   3. wrong password -> the failure is counted; at max_failures the account is locked for
//      lock_for (kLocked), else kInvalidCredentials
//   4. status locked/retired -> kAccountDisabled (after a correct password only; the HTTP
//      layer answers it like a wrong password and audits the true reason)
//   5. no TOTP secret yet -> kTotpEnrolmentRequired: the HTTP layer calls begin_enrolment(),
//      which makes a secret and holds it server-side (TotpOffers), and then
//      complete_enrolment() with the first code, checked against the held secret only
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
#include "common/secret_box.hpp"
#include "portal/auth/totp.hpp"
#include "portal/auth/totp_offers.hpp"

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

// What a wrong login id or password is told (also a disabled account, by the HTTP layer).
inline constexpr const char* kBadCredentialsMessage = "The login id or the password is wrong.";

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
  // `pool` holds the pending enrolment offers (table totp_offers).
  Authenticator(hpd::DirectoryStore& directory, pg::Pool& pool, AuthenticatorSettings settings);

  LoginResult login(const std::string& login_id, std::string_view password,
                    std::string_view totp_code, hpd::TimePoint now);
  LoginResult login_hpki(const HpkiVerifier& verifier, std::string_view certificate,
                         hpd::TimePoint now);

  // A fresh secret and its URI, held as the user's enrolment offer (replacing an older one);
  // the user's secret is stored only when complete_enrolment succeeds.
  TotpEnrolment begin_enrolment(const hpd::User& user, hpd::TimePoint now);
  // Enrols the offered secret if `code` is valid for it now (and claims that step). Only for
  // a user without a secret (a reset by the secretariat clears it first). `presented_secret`
  // is what the client says it was offered (may be empty): a different one is refused and
  // counted, never used. Without a live offer: kTotpEnrolmentRequired (offer again).
  LoginResult complete_enrolment(std::int64_t user_id, std::string_view code, hpd::TimePoint now,
                                 std::string_view presented_secret = {});

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
  TotpOffers offers_;  // after settings_: holds a reference to its box
  std::string dummy_hash_;
};

}  // namespace hareyaka::auth
