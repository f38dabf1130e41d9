#include "portal/auth/password.hpp"

#include <gtest/gtest.h>

namespace hareyaka::auth {
namespace {

TEST(Password, HashIsArgon2idAndVerifies) {
  const auto params = PasswordHashing::fastest_for_tests();
  const std::string h = hash_password("Correct-horse-9", params);
  EXPECT_EQ(h.rfind("$argon2id$", 0), 0u) << h;
  EXPECT_TRUE(verify_password(h, "Correct-horse-9"));
  EXPECT_FALSE(verify_password(h, "Correct-horse-8"));
  EXPECT_FALSE(verify_password(h, ""));
  EXPECT_FALSE(verify_password("", "x"));
  EXPECT_FALSE(verify_password("$argon2id$garbage", "x"));
  EXPECT_NE(hash_password("Correct-horse-9", params), h);  // salted
  EXPECT_FALSE(needs_rehash(h, params));
  EXPECT_TRUE(needs_rehash(h, {params.ops_limit + 1, params.mem_limit}));
}

TEST(Password, Rules) {
  EXPECT_FALSE(check_password_rules("Sakura-2024-spring", "dr.sato"));
  EXPECT_EQ(check_password_rules("Short-1a", "x")->problem, PasswordProblem::kTooShort);
  EXPECT_EQ(check_password_rules("alllowercaseletters", "x")->problem,
            PasswordProblem::kTooFewClasses);
  EXPECT_EQ(check_password_rules("lowercase123456", "x")->problem, PasswordProblem::kTooFewClasses);
  EXPECT_FALSE(check_password_rules("lowercase123456!", "x"));
  EXPECT_EQ(check_password_rules("My-DR.SATO-pass1", "dr.sato")->problem,
            PasswordProblem::kContainsLoginId);
  EXPECT_EQ(check_password_rules(std::string(129, 'a'), "x")->problem, PasswordProblem::kTooLong);
  EXPECT_EQ(check_password_rules("\xff\xfe invalid utf8 A1", "x")->problem,
            PasswordProblem::kNotUtf8);
  // Twelve characters of kana count as twelve, and as the "other" class.
  EXPECT_FALSE(check_password_rules("さくらさくらさくらさA1", "x"));
  EXPECT_EQ(check_password_rules("さくらA1", "x")->problem, PasswordProblem::kTooShort);
  EXPECT_NE(check_password_rules("short", "x")->message.find("12"), std::string::npos);
}

}  // namespace
}  // namespace hareyaka::auth
