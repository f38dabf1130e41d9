#include "portal/auth/totp.hpp"

#include <gtest/gtest.h>

namespace hareyaka::auth {
namespace {

hpd::TimePoint at(std::int64_t unix_seconds) {
  return hpd::TimePoint(std::chrono::seconds(unix_seconds));
}

// RFC 6238 Appendix B: 8 digits, T0 = 0, X = 30.
TEST(Totp, Rfc6238TestVectors) {
  const std::string sha1 = "12345678901234567890";
  const std::string sha256 = "12345678901234567890123456789012";
  const std::string sha512 = "1234567890123456789012345678901234567890123456789012345678901234";
  struct Row {
    std::int64_t time;
    const char* sha1;
    const char* sha256;
    const char* sha512;
  };
  const Row rows[] = {
      {59, "94287082", "46119246", "90693936"},
      {1111111109, "07081804", "68084774", "25091201"},
      {1111111111, "14050471", "67062674", "99943326"},
      {1234567890, "89005924", "91819424", "93441116"},
      {2000000000, "69279037", "90698825", "38618901"},
      {20000000000, "65353130", "77737706", "47863826"},
  };
  for (const auto& r : rows) {
    TotpSettings s{.digits = 8};
    // 20000000000 (year 2603) is beyond system_clock's nanosecond range: step by hand there.
    const std::int64_t step = r.time / 30;
    if (r.time < 10000000000) {
      EXPECT_EQ(totp_step(at(r.time), s), step);
    }
    s.algorithm = TotpAlgorithm::kSha1;
    EXPECT_EQ(totp_code(sha1, step, s), r.sha1) << r.time;
    s.algorithm = TotpAlgorithm::kSha256;
    EXPECT_EQ(totp_code(sha256, step, s), r.sha256) << r.time;
    s.algorithm = TotpAlgorithm::kSha512;
    EXPECT_EQ(totp_code(sha512, step, s), r.sha512) << r.time;
  }
  // Six digits (our setting) are the last six of the same truncation.
  EXPECT_EQ(totp_code(sha1, totp_step(at(59))), "287082");
}

TEST(Totp, Base32RoundTripAndRfc4648Vectors) {
  EXPECT_EQ(base32_encode("foobar"), "MZXW6YTBOI");
  EXPECT_EQ(base32_encode("f"), "MY");
  EXPECT_EQ(base32_decode("MZXW6YTBOI======"), "foobar");
  EXPECT_EQ(base32_decode("mzxw 6ytb oi"), "foobar");
  EXPECT_FALSE(base32_decode("MZXW1"));  // '1' is not base32
  const std::string secret = generate_totp_secret();
  EXPECT_EQ(secret.size(), 32u);  // 20 bytes
  EXPECT_EQ(base32_decode(secret)->size(), 20u);
  EXPECT_NE(generate_totp_secret(), secret);
}

TEST(Totp, VerifyAcceptsOneStepEitherSideOnly) {
  const std::string key = "12345678901234567890";
  const std::string secret = base32_encode(key);
  const auto now = at(1111111111);
  const auto step = totp_step(now);
  for (int d = -1; d <= 1; ++d) {
    EXPECT_EQ(verify_totp(secret, totp_code(key, step + d), now), step + d) << d;
  }
  EXPECT_FALSE(verify_totp(secret, totp_code(key, step - 2), now));
  EXPECT_FALSE(verify_totp(secret, totp_code(key, step + 2), now));
  EXPECT_FALSE(verify_totp(secret, "12345", now));
  EXPECT_FALSE(verify_totp(secret, "12345a", now));
  EXPECT_FALSE(verify_totp("!!!", "123456", now));
}

TEST(Totp, OtpauthUri) {
  EXPECT_EQ(otpauth_uri("Hareyaka Net", "dr.sato", "JBSWY3DPEHPK3PXP"),
            "otpauth://totp/Hareyaka%20Net:dr.sato?secret=JBSWY3DPEHPK3PXP&issuer=Hareyaka%20Net"
            "&algorithm=SHA1&digits=6&period=30");
}

}  // namespace
}  // namespace hareyaka::auth
