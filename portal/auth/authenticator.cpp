#include "portal/auth/authenticator.hpp"

#include <openssl/crypto.h>

#include <ctime>

#include "common/error.hpp"
#include "portal/auth/totp_at_rest.hpp"

namespace hareyaka::auth {
namespace {

std::string hhmm_utc(hpd::TimePoint t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
  return buf;
}

LoginResult result(LoginStatus s, std::string message) {
  LoginResult r;
  r.status = s;
  r.message = std::move(message);
  return r;
}

LoginResult locked(hpd::TimePoint until) {
  LoginResult r =
      result(LoginStatus::kLocked,
             "This account is locked after repeated failed logins until " + hhmm_utc(until) +
                 ". Try again after that time, or ask the secretariat to unlock it.");
  r.locked_until = until;
  return r;
}

constexpr const char* kBadCredentials = kBadCredentialsMessage;

}  // namespace

std::string_view to_string(LoginStatus s) {
  switch (s) {
    case LoginStatus::kOk:
      return "ok";
    case LoginStatus::kInvalidCredentials:
      return "invalid_credentials";
    case LoginStatus::kLocked:
      return "locked";
    case LoginStatus::kAccountDisabled:
      return "account_disabled";
    case LoginStatus::kTotpRequired:
      return "totp_required";
    case LoginStatus::kTotpEnrolmentRequired:
      return "totp_enrolment_required";
    case LoginStatus::kInvalidSecondFactor:
      return "invalid_second_factor";
    case LoginStatus::kTotpReplayed:
      return "totp_replayed";
    case LoginStatus::kCertificateRejected:
      return "certificate_rejected";
    case LoginStatus::kCertificateNotRegistered:
      return "certificate_not_registered";
    case LoginStatus::kProfessionMismatch:
      return "profession_mismatch";
  }
  return "unknown";
}

Authenticator::Authenticator(hpd::DirectoryStore& directory, pg::Pool& pool,
                             AuthenticatorSettings settings)
    : directory_(directory),
      settings_(std::move(settings)),
      offers_(pool, settings_.totp_box),
      dummy_hash_(hash_password("hareyaka-dummy-password", settings_.hashing)) {}

std::string Authenticator::stored_totp_secret(const hpd::User& u) const {
  if (!SecretBox::is_sealed(u.totp_secret))
    return u.totp_secret;  // plaintext: no key configured, or not yet sealed at a start
  Opened o = settings_.totp_box.open(u.totp_secret, totp_associated_data(u.id));
  if (!o.ok()) {
    throw Error(ErrorCode::kUnavailable,
                "The one-time code cannot be checked at the moment. Ask the secretariat.",
                "the TOTP secret of user id " + std::to_string(u.id) + " is sealed under key id '" +
                    o.key_id + "' and cannot be opened (" + std::string(to_string(o.error)) +
                    "): check auth.totp_encryption_keys");
  }
  return std::move(o.plaintext);
}

LoginResult Authenticator::counted_failure(const hpd::User& u, LoginStatus status,
                                           std::string message, hpd::TimePoint now) {
  auto state = directory_.record_login_failure(u.id, now, settings_.lockout.max_failures,
                                               settings_.lockout.lock_for);
  if (state.locked_until && *state.locked_until > now)
    return locked(*state.locked_until);
  return result(status, std::move(message));
}

LoginResult Authenticator::login(const std::string& login_id, std::string_view password,
                                 std::string_view totp_code, hpd::TimePoint now) {
  auto user =
      hpd::is_valid_login_id(login_id) ? directory_.find_user_by_login(login_id) : std::nullopt;
  if (!user) {
    verify_password(dummy_hash_, password);
    return result(LoginStatus::kInvalidCredentials, kBadCredentials);
  }
  if (user->locked_until && *user->locked_until > now)
    return locked(*user->locked_until);
  if (!verify_password(user->password_hash, password)) {
    return counted_failure(*user, LoginStatus::kInvalidCredentials, kBadCredentials, now);
  }
  if (user->status != hpd::UserStatus::kActive) {
    LoginResult r = result(LoginStatus::kAccountDisabled,
                           user->status == hpd::UserStatus::kRetired
                               ? "This account has been retired. Ask the secretariat."
                               : "This account is locked by the secretariat. Ask the secretariat "
                                 "to unlock it.");
    return r;
  }
  if (user->totp_secret.empty()) {
    LoginResult r = result(LoginStatus::kTotpEnrolmentRequired,
                           "Set up your one-time code app to finish the first login.");
    r.user = user;
    return r;
  }
  if (totp_code.empty()) {
    return result(LoginStatus::kTotpRequired,
                  "Enter the 6-digit code from your one-time code app.");
  }
  auto step = verify_totp(stored_totp_secret(*user), totp_code, now, settings_.totp);
  if (!step) {
    return counted_failure(*user, LoginStatus::kInvalidSecondFactor,
                           "The one-time code is wrong or too old.", now);
  }
  if (!directory_.claim_totp_step(user->id, *step)) {
    return counted_failure(*user, LoginStatus::kTotpReplayed,
                           "This one-time code was already used. Wait for the next code.", now);
  }
  directory_.record_login_success(user->id);
  if (needs_rehash(user->password_hash, settings_.hashing)) {
    directory_.set_password_hash(user->id, hash_password(password, settings_.hashing), now);
  }
  LoginResult r = result(LoginStatus::kOk, "ok");
  user->failed_attempts = 0;
  user->locked_until.reset();
  r.user = std::move(user);
  return r;
}

LoginResult Authenticator::login_hpki(const HpkiVerifier& verifier, std::string_view certificate,
                                      hpd::TimePoint now) {
  HpkiResult v = verifier.verify(certificate, now);
  if (!v.ok()) {
    LoginResult r = result(LoginStatus::kCertificateRejected, v.message);
    r.hpki_error = v.error;
    return r;
  }
  const HpkiIdentity& id = *v.identity;
  auto user = directory_.find_user_by_hpki(id.issuer, id.serial, id.subject);
  if (!user) {
    return result(LoginStatus::kCertificateNotRegistered,
                  "This HPKI card is not registered to a user of the network. Ask the "
                  "secretariat to register it.");
  }
  if (user->status != hpd::UserStatus::kActive) {
    return result(LoginStatus::kAccountDisabled,
                  "This account is not active. Ask the secretariat.");
  }
  if (user->locked_until && *user->locked_until > now)
    return locked(*user->locked_until);
  if (user->profession != id.profession) {
    return result(LoginStatus::kProfessionMismatch,
                  "The HPKI card's role (" + id.role +
                      ") does not match the profession registered for this user.");
  }
  directory_.record_login_success(user->id);
  LoginResult r = result(LoginStatus::kOk, "ok");
  r.user = std::move(user);
  return r;
}

TotpEnrolment Authenticator::begin_enrolment(const hpd::User& user, hpd::TimePoint now) {
  TotpEnrolment e;
  e.secret_base32 = generate_totp_secret();
  e.otpauth_uri =
      otpauth_uri(settings_.totp_issuer, user.login_id, e.secret_base32, settings_.totp);
  offers_.offer(user.id, e.secret_base32, now);
  return e;
}

LoginResult Authenticator::complete_enrolment(std::int64_t user_id, std::string_view code,
                                              hpd::TimePoint now,
                                              std::string_view presented_secret) {
  auto user = directory_.find_user(user_id);
  if (!user || user->status != hpd::UserStatus::kActive) {
    return result(LoginStatus::kAccountDisabled, "This account is not active.");
  }
  if (!user->totp_secret.empty()) {
    return result(LoginStatus::kInvalidSecondFactor,
                  "A one-time code app is already set up for this account. Ask the secretariat "
                  "to reset it.");
  }
  const std::optional<std::string> offered = offers_.held(user_id, now);
  if (!offered) {
    LoginResult r = result(LoginStatus::kTotpEnrolmentRequired,
                           "The set-up has expired. Set up your one-time code app again.");
    r.user = std::move(user);
    return r;
  }
  const std::string& secret_base32 = *offered;
  if (!presented_secret.empty() &&
      (presented_secret.size() != secret_base32.size() ||
       CRYPTO_memcmp(presented_secret.data(), secret_base32.data(), secret_base32.size()) != 0)) {
    return counted_failure(*user, LoginStatus::kInvalidSecondFactor,
                           "This is not the secret the portal offered. Set up the app with the "
                           "code shown on the screen.",
                           now);
  }
  auto step = verify_totp(secret_base32, code, now, settings_.totp);
  if (!step) {
    return counted_failure(*user, LoginStatus::kInvalidSecondFactor,
                           "The code does not match. Check the app's clock and try again.", now);
  }
  const std::string stored =
      settings_.totp_box.has_keys()
          ? settings_.totp_box.seal(secret_base32, totp_associated_data(user_id))
          : secret_base32;
  directory_.set_totp_secret(user_id, stored);
  offers_.withdraw(user_id);
  directory_.claim_totp_step(user_id, *step);
  directory_.record_login_success(user_id);
  LoginResult r = result(LoginStatus::kOk, "ok");
  user->totp_secret = stored;
  r.user = std::move(user);
  return r;
}

std::optional<PasswordCheck> Authenticator::set_password(std::int64_t user_id,
                                                         std::string_view new_password,
                                                         hpd::TimePoint now) {
  auto user = directory_.find_user(user_id);
  if (!user)
    throw Error(ErrorCode::kNotFound, "user not found", "set_password: unknown user");
  if (auto problem = check_password_rules(new_password, user->login_id))
    return problem;
  directory_.set_password_hash(user_id, hash_password(new_password, settings_.hashing), now);
  return std::nullopt;
}

}  // namespace hareyaka::auth
