#include "proto/encoding/base64.hpp"

#include <gtest/gtest.h>

namespace hareyaka {
namespace {

constexpr auto kUrl = Base64Alphabet::kUrlNoPadding;

// RFC 4648 section 10 test vectors.
TEST(Base64Test, StandardAlphabetMatchesTheRfcVectors) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(plain), encoded);
    EXPECT_EQ(base64_decode(encoded), plain);
  }
}

TEST(Base64Test, UrlAlphabetHasNoPaddingAndItsOwnTwoSymbols) {
  EXPECT_EQ(base64_encode("f", kUrl), "Zg");
  EXPECT_EQ(base64_encode("fo", kUrl), "Zm8");
  EXPECT_EQ(base64_encode("\xfb\xff", kUrl), "-_8");
  EXPECT_EQ(base64_encode("\xfb\xff"), "+/8=");
  EXPECT_EQ(base64_decode("-_8", kUrl), "\xfb\xff");
  EXPECT_FALSE(base64_decode("+/8", kUrl));
  EXPECT_FALSE(base64_decode("Zg==", kUrl)) << "padding is not part of the URL form";
  EXPECT_FALSE(base64_decode("Z", kUrl)) << "one symbol cannot carry a byte";
}

TEST(Base64Test, EveryByteValueRoundTripsInBothAlphabets) {
  std::string all;
  for (int i = 0; i < 256; ++i)
    all.push_back(static_cast<char>(i));
  for (std::size_t n = 0; n <= all.size(); n += 37) {
    const std::string part = all.substr(0, n);
    EXPECT_EQ(base64_decode(base64_encode(part)), part);
    EXPECT_EQ(base64_decode(base64_encode(part, kUrl), kUrl), part);
  }
}

TEST(Base64Test, StrictDecodingRejectsMalformedText) {
  EXPECT_FALSE(base64_decode("Zm9vYg=")) << "short padding";
  EXPECT_FALSE(base64_decode("Zm9vY")) << "not a multiple of four";
  EXPECT_FALSE(base64_decode("Zm=vYg==")) << "padding in the middle";
  EXPECT_FALSE(base64_decode("Zg===")) << "too much padding";
  EXPECT_FALSE(base64_decode("Zm9v*g=="));
  EXPECT_FALSE(base64_decode("Zh==")) << "trailing bits that belong to no byte";
  EXPECT_FALSE(base64_decode("Zm9v\nYg==")) << "white space only where XML allows it";
}

TEST(Base64Test, XmlWhiteSpaceIsSkippedWhenAsked) {
  EXPECT_EQ(base64_decode("Zm9v\r\n  Yg==\n", Base64Alphabet::kStandard, true), "foob");
  EXPECT_EQ(base64_decode(" \t\n", Base64Alphabet::kStandard, true), "");
  EXPECT_FALSE(base64_decode("Zm9v Yg=", Base64Alphabet::kStandard, true));
}

}  // namespace
}  // namespace hareyaka
