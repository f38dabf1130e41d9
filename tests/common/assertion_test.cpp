#include "common/assertion.hpp"

#include <gtest/gtest.h>

#include "tests/support/dev_pki.hpp"
#include "tests/support/process.hpp"

namespace hareyaka {
namespace {

// The certificate the assertion names as its presenter (any 64 hex digits will do here).
const std::string kPortalCert(64, 'a');
const std::string kOtherCert(64, 'b');

AccessAssertion sample(std::int64_t now) {
  return {.user = "dr-tanaka",
          .profession = "doctor",
          .facility_oid = "1.2.392.200284.33.2000001",
          .audience = "1.2.392.200284.33.1310001",
          .authority = "1.2.392.200284.33.1310001.1",
          .local_id = "0001000052",
          .category = "lab_results",
          .request_id = "r1",
          .issued_at = now,
          .expires_at = now + 60};
}

TEST(Assertion, SignedAssertionVerifiesAndRoundTrips) {
  const auto& pki = testing::dev_pki();
  AssertionSigner signer(pki.dir + "/assertion.key", kPortalCert);
  AssertionVerifier verifier(pki.dir + "/assertion.pub");
  const auto now = unix_now();
  auto r = verifier.verify(signer.sign(sample(now)), "1.2.392.200284.33.1310001", kPortalCert, now);
  ASSERT_TRUE(std::holds_alternative<AccessAssertion>(r));
  const auto& a = std::get<AccessAssertion>(r);
  EXPECT_EQ(a.user, "dr-tanaka");
  EXPECT_EQ(a.local_id, "0001000052");
  EXPECT_EQ(a.category, "lab_results");
  EXPECT_EQ(a.presenter, kPortalCert);
  EXPECT_EQ(a.id.size(), 32u);
  EXPECT_TRUE(a.community.empty());
  // A cross-community request (IHE XCA) names the peer network it is made for.
  AccessAssertion cross = sample(now);
  cross.community = "1.2.392.200300.9001";
  auto c = verifier.verify(signer.sign(cross), "1.2.392.200284.33.1310001", kPortalCert, now);
  ASSERT_TRUE(std::holds_alternative<AccessAssertion>(c));
  EXPECT_EQ(std::get<AccessAssertion>(c).community, "1.2.392.200300.9001");
}

TEST(Assertion, RefusesExpiredForgedTamperedAndMisaddressed) {
  const auto& pki = testing::dev_pki();
  AssertionSigner signer(pki.dir + "/assertion.key", kPortalCert);
  AssertionVerifier verifier(pki.dir + "/assertion.pub");
  const auto now = unix_now();
  const std::string aud = "1.2.392.200284.33.1310001";
  auto err = [&](const std::string& token, std::int64_t at) {
    auto r = verifier.verify(token, aud, kPortalCert, at);
    return std::holds_alternative<AssertionError>(r) ? std::get<AssertionError>(r)
                                                     : static_cast<AssertionError>(-1);
  };
  const std::string good = signer.sign(sample(now));
  EXPECT_EQ(err(good, now + 120), AssertionError::kExpired);
  EXPECT_EQ(err(good, now - 120), AssertionError::kNotYetValid);
  EXPECT_EQ(err("", now), AssertionError::kMissing);
  EXPECT_EQ(err("garbage", now), AssertionError::kMalformed);
  // Another patient: change one character of the claims.
  std::string tampered = good;
  tampered[5] = tampered[5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(err(tampered, now), AssertionError::kBadSignature);
  // Signed by a key that is not the portal's.
  testing::TempDir tmp;
  testing::run_checked({"openssl", "genpkey", "-algorithm", "ed25519", "-out", tmp.path() + "/k"});
  AssertionSigner forger(tmp.path() + "/k", kPortalCert);
  EXPECT_EQ(err(forger.sign(sample(now)), now), AssertionError::kBadSignature);
  auto other = sample(now);
  other.audience = "1.2.392.200284.33.1310002";
  EXPECT_EQ(err(signer.sign(other), now), AssertionError::kWrongAudience);
}

// Issue #15 leak 7: bound to the presenting certificate, accepted once, short-lived.
class AssertionBinding : public ::testing::Test {
 protected:
  AssertionError err(const AssertionVerifier& v, const std::string& token, std::int64_t at,
                     const std::string& presenter = kPortalCert) {
    auto r = v.verify(token, aud_, presenter, at);
    return std::holds_alternative<AssertionError>(r) ? std::get<AssertionError>(r)
                                                     : static_cast<AssertionError>(-1);
  }
  bool ok(const AssertionVerifier& v, const std::string& token, std::int64_t at) {
    return std::holds_alternative<AccessAssertion>(v.verify(token, aud_, kPortalCert, at));
  }
  const std::string aud_ = "1.2.392.200284.33.1310001";
  AssertionSigner signer_{testing::dev_pki().dir + "/assertion.key", kPortalCert};
  const std::int64_t now_ = unix_now();
};

TEST_F(AssertionBinding, AcceptsEachAssertionOnceUntilItExpires) {
  AssertionVerifier v(testing::dev_pki().dir + "/assertion.pub");
  const std::string token = signer_.sign(sample(now_));
  EXPECT_TRUE(ok(v, token, now_));
  EXPECT_EQ(err(v, token, now_ + 1), AssertionError::kReplayed);
  EXPECT_EQ(err(v, token, now_ + 60 + 30), AssertionError::kReplayed);  // still inside the skew
  EXPECT_EQ(err(v, token, now_ + 60 + 31), AssertionError::kExpired);
  // Each signing is a new id: the same claims signed again are a new assertion.
  EXPECT_TRUE(ok(v, signer_.sign(sample(now_)), now_));
  // A refusal for another presenter does not use the assertion up.
  const std::string fresh = signer_.sign(sample(now_));
  EXPECT_EQ(err(v, fresh, now_, kOtherCert), AssertionError::kWrongPresenter);
  EXPECT_TRUE(ok(v, fresh, now_));
}

TEST_F(AssertionBinding, RefusesAnotherPresenterAndAssertionsWithoutOne) {
  AssertionVerifier v(testing::dev_pki().dir + "/assertion.pub");
  EXPECT_EQ(err(v, signer_.sign(sample(now_)), now_, kOtherCert), AssertionError::kWrongPresenter);
  EXPECT_EQ(err(v, signer_.sign(sample(now_)), now_, ""), AssertionError::kWrongPresenter);
  // A signer that names no presenter (the old format) makes assertions nobody may present.
  AssertionSigner unbound(testing::dev_pki().dir + "/assertion.key");
  EXPECT_EQ(err(v, unbound.sign(sample(now_)), now_), AssertionError::kMalformed);
  // The claim can name another presenter explicitly.
  auto a = sample(now_);
  a.presenter = kOtherCert;
  EXPECT_EQ(err(v, signer_.sign(a), now_), AssertionError::kWrongPresenter);
  EXPECT_TRUE(
      std::holds_alternative<AccessAssertion>(v.verify(signer_.sign(a), aud_, kOtherCert, now_)));
}

TEST_F(AssertionBinding, RefusesLifetimesOverTheMaximumAndFutureIssueTimes) {
  AssertionVerifier v(testing::dev_pki().dir + "/assertion.pub",
                      {.max_lifetime_s = 300, .skew_s = 30});
  auto forever = sample(now_);
  forever.expires_at = now_ + 1'000'000'000;
  EXPECT_EQ(err(v, signer_.sign(forever), now_), AssertionError::kTooLong);
  auto longest = sample(now_);
  longest.expires_at = now_ + 300;
  EXPECT_TRUE(ok(v, signer_.sign(longest), now_));
  longest.expires_at = now_ + 301;
  EXPECT_EQ(err(v, signer_.sign(longest), now_), AssertionError::kTooLong);
  // Issued in the future: within the skew accepted, beyond it not yet valid.
  EXPECT_TRUE(ok(v, signer_.sign(sample(now_ + 30)), now_));
  EXPECT_EQ(err(v, signer_.sign(sample(now_ + 31)), now_), AssertionError::kNotYetValid);
  // Expiring before it is issued, or issued before 1970: malformed.
  auto backwards = sample(now_);
  backwards.expires_at = now_ - 1;
  EXPECT_EQ(err(v, signer_.sign(backwards), now_), AssertionError::kMalformed);
  auto negative = sample(-10);
  EXPECT_EQ(err(v, signer_.sign(negative), now_), AssertionError::kMalformed);
}

TEST_F(AssertionBinding, TheReplayCacheIsBoundedAndForgetsExpiredAssertions) {
  AssertionVerifier v(testing::dev_pki().dir + "/assertion.pub",
                      {.max_lifetime_s = 300, .skew_s = 0, .replay_cache_entries = 3});
  for (int i = 0; i < 3; ++i)
    EXPECT_TRUE(ok(v, signer_.sign(sample(now_)), now_));
  // Full of live assertions: a new one is refused, none is forgotten.
  EXPECT_EQ(err(v, signer_.sign(sample(now_)), now_), AssertionError::kTooManyInFlight);
  // Once they have expired their places are free again.
  EXPECT_TRUE(ok(v, signer_.sign(sample(now_ + 61)), now_ + 61));
}

TEST(ReplayCache, RemembersUntilTheGivenTime) {
  ReplayCache c(2);
  EXPECT_EQ(c.remember("a", 100, 0), ReplayCache::Result::kFirstUse);
  EXPECT_EQ(c.remember("a", 100, 50), ReplayCache::Result::kReplay);
  EXPECT_EQ(c.remember("b", 200, 50), ReplayCache::Result::kFirstUse);
  EXPECT_EQ(c.remember("c", 200, 50), ReplayCache::Result::kFull);
  EXPECT_EQ(c.remember("a", 100, 100), ReplayCache::Result::kReplay);    // until is inclusive
  EXPECT_EQ(c.remember("c", 200, 101), ReplayCache::Result::kFirstUse);  // "a" dropped
  EXPECT_EQ(c.size(), 2u);
}

}  // namespace
}  // namespace hareyaka
