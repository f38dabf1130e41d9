#include "portal/auth/authenticator.hpp"

#include <gtest/gtest.h>

#include "hpd/migrations.hpp"
#include "portal/auth/migrations.hpp"
#include "tests/auth/dev_hpki.hpp"
#include "tests/hpd/directory_fixture.hpp"
#include "tests/support/pg_cluster.hpp"

namespace hareyaka::auth {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

constexpr const char* kPassword = "Sakura-2024-spring";

class AuthenticatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto f = testing::make_facility(201, hpd::FacilityKind::kClinic, false, true);
    dir_.create_facility(f);
    facility_ = f.oid;
    auto u = testing::make_user("dr.sato", f.oid, hpd::Profession::kDoctor);
    u.password_hash = hash_password(kPassword, settings_.hashing);
    user_ = dir_.create_user(u);
  }
  std::string code_at(const std::string& secret, hpd::TimePoint t) {
    return totp_code(*base32_decode(secret), totp_step(t));
  }
  // Enrols TOTP through the first-login flow and returns the secret.
  std::string enrol(hpd::TimePoint t) {
    auto first = auth_.login("dr.sato", kPassword, "", t);
    EXPECT_EQ(first.status, LoginStatus::kTotpEnrolmentRequired) << first.message;
    auto e = auth_.begin_enrolment(*first.user, t);
    EXPECT_NE(e.otpauth_uri.find("secret=" + e.secret_base32), std::string::npos);
    auto done = auth_.complete_enrolment(user_, code_at(e.secret_base32, t), t);
    EXPECT_TRUE(done.ok()) << done.message;
    return e.secret_base32;
  }

  std::unique_ptr<pg::Pool> pool_ = testing::fresh_pool({&hpd::migrations(), &auth::migrations()});
  hpd::PgDirectoryStore dir_{*pool_};
  AuthenticatorSettings settings_{.hashing = PasswordHashing::fastest_for_tests(),
                                  .lockout = {.max_failures = 5, .lock_for = minutes(15)}};
  Authenticator auth_{dir_, *pool_, settings_};
  std::string facility_;
  std::int64_t user_ = 0;
  hpd::TimePoint t0_ = hpd::TimePoint(seconds(1'800'000'000));
};

TEST_F(AuthenticatorTest, PasswordPlusTotpWithFirstLoginEnrolmentAndReplayGuard) {
  const std::string secret = enrol(t0_);
  const auto t = t0_ + minutes(5);
  EXPECT_EQ(auth_.login("dr.sato", kPassword, "", t).status, LoginStatus::kTotpRequired);
  auto ok = auth_.login("dr.sato", kPassword, code_at(secret, t), t);
  ASSERT_TRUE(ok.ok()) << ok.message;
  EXPECT_EQ(ok.user->id, user_);
  EXPECT_EQ(ok.user->profession, hpd::Profession::kDoctor);
  // The same code again (an eavesdropper replaying it) is refused.
  auto replay = auth_.login("dr.sato", kPassword, code_at(secret, t), t + seconds(5));
  EXPECT_EQ(replay.status, LoginStatus::kTotpReplayed) << replay.message;
  // The next step's code works.
  EXPECT_TRUE(
      auth_.login("dr.sato", kPassword, code_at(secret, t + seconds(30)), t + seconds(30)).ok());
  EXPECT_EQ(auth_.login("dr.sato", kPassword, "000000", t + minutes(2)).status,
            LoginStatus::kInvalidSecondFactor);
  // Enrolment cannot be redone over an existing secret.
  EXPECT_FALSE(auth_.complete_enrolment(user_, "123456", t).ok());
}

TEST_F(AuthenticatorTest, EnrolmentTakesOnlyTheSecretThePortalOffered) {
  auto first = auth_.login("dr.sato", kPassword, "", t0_);
  ASSERT_EQ(first.status, LoginStatus::kTotpEnrolmentRequired);
  // Without an offer there is nothing to enrol: a code is not enough.
  const std::string chosen = generate_totp_secret();
  auto no_offer = auth_.complete_enrolment(user_, code_at(chosen, t0_), t0_, chosen);
  EXPECT_EQ(no_offer.status, LoginStatus::kTotpEnrolmentRequired) << no_offer.message;
  auto offered = auth_.begin_enrolment(*first.user, t0_);
  // A secret the client chose itself, with a valid code for it: refused and counted.
  auto own = auth_.complete_enrolment(user_, code_at(chosen, t0_), t0_, chosen);
  EXPECT_EQ(own.status, LoginStatus::kInvalidSecondFactor) << own.message;
  EXPECT_TRUE(dir_.find_user(user_)->totp_secret.empty());
  EXPECT_EQ(dir_.find_user(user_)->failed_attempts, 1);
  // A code from the chosen secret without naming it is checked against the offer: refused.
  EXPECT_FALSE(auth_.complete_enrolment(user_, code_at(chosen, t0_), t0_).ok());
  // A newer offer replaces the old one; the old secret no longer enrols.
  auto newer = auth_.begin_enrolment(*first.user, t0_);
  ASSERT_NE(newer.secret_base32, offered.secret_base32);
  EXPECT_FALSE(auth_.complete_enrolment(user_, code_at(offered.secret_base32, t0_), t0_).ok());
  // An offer expires (10 minutes).
  const auto late = t0_ + minutes(11);
  EXPECT_EQ(auth_.complete_enrolment(user_, code_at(newer.secret_base32, late), late).status,
            LoginStatus::kTotpEnrolmentRequired);
  // The live offer enrols (sent back or not), once.
  auto last = auth_.begin_enrolment(*first.user, late);
  auto done =
      auth_.complete_enrolment(user_, code_at(last.secret_base32, late), late, last.secret_base32);
  ASSERT_TRUE(done.ok()) << done.message;
  const auto t = late + seconds(30);
  EXPECT_TRUE(auth_.login("dr.sato", kPassword, code_at(last.secret_base32, t), t).ok());
  EXPECT_FALSE(auth_.complete_enrolment(user_, code_at(chosen, t), t, chosen).ok());
  EXPECT_EQ(dir_.find_user(user_)->totp_secret, last.secret_base32);
}

TEST_F(AuthenticatorTest, LockoutAfterRepeatedFailuresWithAClearMessage) {
  const std::string secret = enrol(t0_);
  auto t = t0_ + minutes(1);
  for (int i = 1; i <= 4; ++i) {
    auto r = auth_.login("dr.sato", "Wrong-password-1", "", t);
    EXPECT_EQ(r.status, LoginStatus::kInvalidCredentials) << i;
    EXPECT_EQ(r.message, "The login id or the password is wrong.");
  }
  auto locked = auth_.login("dr.sato", "Wrong-password-1", "", t);
  ASSERT_EQ(locked.status, LoginStatus::kLocked) << locked.message;
  ASSERT_TRUE(locked.locked_until);
  EXPECT_EQ(hpd::to_us(*locked.locked_until), hpd::to_us(t + minutes(15)));
  EXPECT_NE(locked.message.find("locked"), std::string::npos);
  EXPECT_NE(locked.message.find("secretariat"), std::string::npos);
  // While locked, even the right password and code do not get in.
  auto during =
      auth_.login("dr.sato", kPassword, code_at(secret, t + minutes(10)), t + minutes(10));
  EXPECT_EQ(during.status, LoginStatus::kLocked);
  // After the lock ends, the right credentials do.
  const auto after = t + minutes(15) + seconds(1);
  EXPECT_TRUE(auth_.login("dr.sato", kPassword, code_at(secret, after), after).ok());
  EXPECT_EQ(dir_.find_user(user_)->failed_attempts, 0);
}

TEST_F(AuthenticatorTest, WrongSecondFactorsCountTowardsLockout) {
  const std::string secret = enrol(t0_);
  auto t = t0_ + minutes(1);
  LoginResult r;
  for (int i = 0; i < 5; ++i)
    r = auth_.login("dr.sato", kPassword, "000000", t);
  EXPECT_EQ(r.status, LoginStatus::kLocked);
}

TEST_F(AuthenticatorTest, UnknownAndDisabledAccounts) {
  EXPECT_EQ(auth_.login("nobody", kPassword, "", t0_).status, LoginStatus::kInvalidCredentials);
  EXPECT_EQ(auth_.login("bad id with spaces", kPassword, "", t0_).status,
            LoginStatus::kInvalidCredentials);
  dir_.set_status(user_, hpd::UserStatus::kRetired);
  auto r = auth_.login("dr.sato", kPassword, "", t0_);
  EXPECT_EQ(r.status, LoginStatus::kAccountDisabled);
  EXPECT_NE(r.message.find("retired"), std::string::npos);
  // A wrong password does not reveal the status.
  EXPECT_EQ(auth_.login("dr.sato", "Wrong-password-1", "", t0_).status,
            LoginStatus::kInvalidCredentials);
}

TEST_F(AuthenticatorTest, PasswordRulesAndRehashOnLogin) {
  auto problem = auth_.set_password(user_, "dr.sato-Password1", t0_);
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->problem, PasswordProblem::kContainsLoginId);
  EXPECT_FALSE(auth_.set_password(user_, "Momiji-2025-autumn", t0_));
  EXPECT_EQ(auth_.login("dr.sato", kPassword, "", t0_).status, LoginStatus::kInvalidCredentials);
  EXPECT_EQ(auth_.login("dr.sato", "Momiji-2025-autumn", "", t0_).status,
            LoginStatus::kTotpEnrolmentRequired);
  EXPECT_EQ(hpd::to_us(*dir_.find_user(user_)->password_changed_at), hpd::to_us(t0_));
}

TEST_F(AuthenticatorTest, StrongerParametersUpgradeTheHashAtLogin) {
  const std::string secret = enrol(t0_);
  AuthenticatorSettings stronger = settings_;
  stronger.hashing.ops_limit += 1;
  Authenticator upgraded(dir_, *pool_, stronger);
  const auto t = t0_ + minutes(3);
  ASSERT_TRUE(needs_rehash(dir_.find_user(user_)->password_hash, stronger.hashing));
  ASSERT_TRUE(upgraded.login("dr.sato", kPassword, code_at(secret, t), t).ok());
  const auto hash = dir_.find_user(user_)->password_hash;
  EXPECT_FALSE(needs_rehash(hash, stronger.hashing));
  EXPECT_TRUE(verify_password(hash, kPassword));
}

TEST_F(AuthenticatorTest, HpkiLoginBindsCertificateToUserAndProfession) {
  const auto& pki = testing::DevHpki::get();
  HpkiVerifier v({.ca_files = {pki.path("ca.pem")}, .crl_files = {pki.path("ca.crl")}});
  const auto now = hpd::Clock::now();

  auto unregistered = auth_.login_hpki(v, pki.read("doctor.pem"), now);
  EXPECT_EQ(unregistered.status, LoginStatus::kCertificateNotRegistered);

  auto id = v.verify(pki.read("doctor.pem"), now).identity;
  dir_.bind_hpki(user_, {id->issuer, id->serial, id->subject});
  auto ok = auth_.login_hpki(v, pki.der("doctor.pem"), now);
  ASSERT_TRUE(ok.ok()) << ok.message;
  EXPECT_EQ(ok.user->id, user_);
  EXPECT_EQ(ok.user->profession, hpd::Profession::kDoctor);

  // A pharmacist's card bound to a user registered as a nurse is refused.
  auto nurse = dir_.create_user(testing::make_user("ns.kato", facility_, hpd::Profession::kNurse));
  auto pid = v.verify(pki.read("pharmacist.pem"), now).identity;
  dir_.bind_hpki(nurse, {pid->issuer, pid->serial, pid->subject});
  auto mismatch = auth_.login_hpki(v, pki.read("pharmacist.pem"), now);
  EXPECT_EQ(mismatch.status, LoginStatus::kProfessionMismatch);
  EXPECT_NE(mismatch.message.find("Pharmacist"), std::string::npos);

  for (const char* bad : {"revoked.pem", "expired.pem", "untrusted.pem"}) {
    auto r = auth_.login_hpki(v, pki.read(bad), now);
    EXPECT_EQ(r.status, LoginStatus::kCertificateRejected) << bad;
    EXPECT_NE(r.hpki_error, HpkiError::kNone);
    EXPECT_FALSE(r.message.empty());
  }
}

}  // namespace
}  // namespace hareyaka::auth
