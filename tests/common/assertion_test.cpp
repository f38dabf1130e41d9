#include "common/assertion.hpp"

#include <gtest/gtest.h>

#include "tests/support/dev_pki.hpp"
#include "tests/support/process.hpp"

namespace hareyaka {
namespace {

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
  AssertionSigner signer(pki.dir + "/assertion.key");
  AssertionVerifier verifier(pki.dir + "/assertion.pub");
  const auto now = unix_now();
  auto r = verifier.verify(signer.sign(sample(now)), "1.2.392.200284.33.1310001", now);
  ASSERT_TRUE(std::holds_alternative<AccessAssertion>(r));
  const auto& a = std::get<AccessAssertion>(r);
  EXPECT_EQ(a.user, "dr-tanaka");
  EXPECT_EQ(a.local_id, "0001000052");
  EXPECT_EQ(a.category, "lab_results");
}

TEST(Assertion, RefusesExpiredForgedTamperedAndMisaddressed) {
  const auto& pki = testing::dev_pki();
  AssertionSigner signer(pki.dir + "/assertion.key");
  AssertionVerifier verifier(pki.dir + "/assertion.pub");
  const auto now = unix_now();
  const std::string aud = "1.2.392.200284.33.1310001";
  auto err = [&](const std::string& token, std::int64_t at) {
    auto r = verifier.verify(token, aud, at);
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
  AssertionSigner forger(tmp.path() + "/k");
  EXPECT_EQ(err(forger.sign(sample(now)), now), AssertionError::kBadSignature);
  auto other = sample(now);
  other.audience = "1.2.392.200284.33.1310002";
  EXPECT_EQ(err(signer.sign(other), now), AssertionError::kWrongAudience);
}

}  // namespace
}  // namespace hareyaka
