#include "portal/auth/totp_at_rest.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "common/error.hpp"
#include "hpd/migrations.hpp"
#include "portal/auth/authenticator.hpp"
#include "portal/auth/migrations.hpp"
#include "tests/hpd/directory_fixture.hpp"
#include "tests/support/pg_cluster.hpp"

namespace hareyaka::auth {
namespace {

using std::chrono::seconds;

constexpr const char* kPassword = "Sakura-2024-spring";
constexpr pg::Statement kStored{"test_totp_stored", "SELECT totp_secret FROM users WHERE id = $1"};
constexpr pg::Statement kPut{"test_totp_put", "UPDATE users SET totp_secret = $2 WHERE id = $1"};

class TotpAtRestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto f = testing::make_facility(301, hpd::FacilityKind::kClinic, false, true);
    dir_.create_facility(f);
    for (int i = 0; i < 4; ++i) {
      auto u = testing::make_user("user" + std::to_string(i), f.oid, hpd::Profession::kNurse);
      u.password_hash = hash_password(kPassword, PasswordHashing::fastest_for_tests());
      u.totp_secret = generate_totp_secret();
      secrets_.push_back(u.totp_secret);
      ids_.push_back(dir_.create_user(u));
    }
  }
  std::string stored(std::int64_t id) {
    return pg::transact(*pool_,
                        [&](pg::Tx& tx) { return tx.exec(kStored, id)[0][0].as<std::string>(); });
  }
  LoginResult login(const SecretBox& box, int i, std::int64_t step_offset = 0) {
    AuthenticatorSettings s{.hashing = PasswordHashing::fastest_for_tests(), .totp_box = box};
    Authenticator a(dir_, *pool_, s);
    const auto t = t0_ + seconds(30 * (step_offset + logins_++));
    return a.login("user" + std::to_string(i), kPassword,
                   totp_code(*base32_decode(secrets_[i]), totp_step(t)), t);
  }

  std::unique_ptr<pg::Pool> pool_ = testing::fresh_pool({&hpd::migrations(), &auth::migrations()});
  hpd::PgDirectoryStore dir_{*pool_};
  std::vector<std::string> secrets_;
  std::vector<std::int64_t> ids_;
  int logins_ = 0;
  hpd::TimePoint t0_ = hpd::TimePoint(seconds(1'800'000'000));
  SecretBox box1_{{BoxKey{"k1", std::string(32, '1')}}};
};

TEST_F(TotpAtRestTest, PlaintextRowsAreSealedOnceAndStillLogIn) {
  EXPECT_EQ(totp_at_rest_state(*pool_).plaintext, 4);
  EXPECT_TRUE(login(SecretBox(), 0).ok()) << "plaintext works without keys (dev)";
  auto first = reseal_totp_secrets(*pool_, box1_, ResealScope::kPlaintextOnly);
  EXPECT_EQ(first.sealed, 4);
  for (std::size_t i = 0; i < ids_.size(); ++i) {
    const std::string s = stored(ids_[i]);
    EXPECT_TRUE(s.starts_with("v1:k1:")) << s;
    EXPECT_EQ(s.find(secrets_[i]), std::string::npos);
  }
  const std::string before = stored(ids_[1]);
  auto again = reseal_totp_secrets(*pool_, box1_, ResealScope::kPlaintextOnly);
  EXPECT_EQ(again.sealed + again.resealed, 0);
  EXPECT_EQ(stored(ids_[1]), before);
  auto state = totp_at_rest_state(*pool_);
  EXPECT_EQ(state.plaintext, 0);
  EXPECT_EQ(state.key_ids, std::vector<std::string>{"k1"});
  for (int i = 0; i < 4; ++i)
    EXPECT_TRUE(login(box1_, i).ok()) << i;
}

TEST_F(TotpAtRestTest, TwoSealersAtOnceSealEachRowOnce) {
  TotpAtRestReport a, b;
  std::thread t1([&] { a = reseal_totp_secrets(*pool_, box1_, ResealScope::kPlaintextOnly); });
  std::thread t2([&] { b = reseal_totp_secrets(*pool_, box1_, ResealScope::kPlaintextOnly); });
  t1.join();
  t2.join();
  EXPECT_EQ(a.sealed + b.sealed, 4);
  for (int i = 0; i < 4; ++i)
    EXPECT_TRUE(login(box1_, i).ok()) << i;
}

TEST_F(TotpAtRestTest, RotationReSealsEverythingUnderTheCurrentKey) {
  reseal_totp_secrets(*pool_, box1_, ResealScope::kPlaintextOnly);
  pg::transact(*pool_, [&](pg::Tx& tx) { tx.exec(kPut, ids_[3], secrets_[3]); });  // late plaintext
  SecretBox rotated({BoxKey{"k2", std::string(32, '2')}, BoxKey{"k1", std::string(32, '1')}});
  EXPECT_TRUE(login(rotated, 0).ok()) << "the old key still opens";
  auto r = reseal_totp_secrets(*pool_, rotated, ResealScope::kAll);
  EXPECT_EQ(r.resealed, 3);
  EXPECT_EQ(r.sealed, 1);
  EXPECT_EQ(totp_at_rest_state(*pool_).key_ids, std::vector<std::string>{"k2"});
  SecretBox only_new({BoxKey{"k2", std::string(32, '2')}});
  for (int i = 0; i < 4; ++i)
    EXPECT_TRUE(login(only_new, i).ok()) << i;
}

TEST_F(TotpAtRestTest, UnknownKeyIdFailsTheLoginWithAnOperatorErrorNamingIt) {
  reseal_totp_secrets(*pool_, box1_, ResealScope::kPlaintextOnly);
  SecretBox other({BoxKey{"k9", std::string(32, '9')}});
  try {
    login(other, 0);
    FAIL() << "a secret under an unknown key opened";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnavailable);
    EXPECT_NE(e.internal().find("'k1'"), std::string::npos) << e.internal();
    EXPECT_EQ(e.internal().find(secrets_[0]), std::string::npos);
    EXPECT_EQ(e.external().find("k1"), std::string::npos);
  }
  // Not counted against the user: the right key still logs in.
  EXPECT_EQ(dir_.find_user(ids_[0])->failed_attempts, 0);
  // Rotation without the key changes nothing and names it.
  try {
    reseal_totp_secrets(*pool_, other, ResealScope::kAll);
    FAIL() << "rotation without the old key went through";
  } catch (const Error& e) {
    EXPECT_NE(e.internal().find("'k1'"), std::string::npos) << e.internal();
  }
  EXPECT_TRUE(stored(ids_[2]).starts_with("v1:k1:"));
  EXPECT_TRUE(login(box1_, 0).ok());
}

TEST_F(TotpAtRestTest, ASealedSecretMovedToAnotherUserDoesNotOpen) {
  reseal_totp_secrets(*pool_, box1_, ResealScope::kPlaintextOnly);
  pg::transact(*pool_, [&](pg::Tx& tx) { tx.exec(kPut, ids_[1], stored(ids_[0])); });
  secrets_[1] = secrets_[0];  // the attacker knows user0's codes and wants them for user1
  EXPECT_THROW(login(box1_, 1), Error);
}

TEST_F(TotpAtRestTest, EnrolmentStoresASealedSecret) {
  pg::transact(*pool_, [&](pg::Tx& tx) { tx.exec(kPut, ids_[2], ""); });
  AuthenticatorSettings s{.hashing = PasswordHashing::fastest_for_tests(), .totp_box = box1_};
  Authenticator a(dir_, *pool_, s);
  auto first = a.login("user2", kPassword, "", t0_);
  ASSERT_EQ(first.status, LoginStatus::kTotpEnrolmentRequired);
  auto e = a.begin_enrolment(*first.user, t0_);
  // The offer waiting for its first code is sealed too.
  const auto offer = pg::transact(*pool_, [&](pg::Tx& tx) {
    return tx.exec_trusted("SELECT secret FROM totp_offers")[0][0].as<std::string>();
  });
  EXPECT_TRUE(offer.starts_with("v1:k1:")) << offer;
  auto done = a.complete_enrolment(ids_[2],
                                   totp_code(*base32_decode(e.secret_base32), totp_step(t0_)), t0_);
  ASSERT_TRUE(done.ok()) << done.message;
  EXPECT_TRUE(stored(ids_[2]).starts_with("v1:k1:"));
  EXPECT_EQ(stored(ids_[2]).find(e.secret_base32), std::string::npos);
  secrets_[2] = e.secret_base32;
  EXPECT_TRUE(login(box1_, 2, 10).ok());
}

}  // namespace
}  // namespace hareyaka::auth
