#include "proto/hl7v2/charset.hpp"

#include <gtest/gtest.h>

namespace hareyaka::hl7v2 {
namespace {

TEST(Charset, RoundTripsJapaneseThroughIso2022Jp) {
  std::string text = "静岡県静岡市登呂１−３−５ カンジャ タロウ ＡＢＣ abc";
  auto jis = utf8_to_iso2022jp(text);
  ASSERT_TRUE(jis);
  for (unsigned char c : *jis)
    EXPECT_LT(c, 0x80);  // seven-bit
  auto back = iso2022jp_to_utf8(*jis);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, text);
}

TEST(Charset, RejectsHalfWidthKatakanaWhenEncoding) {
  CharsetError e;
  EXPECT_FALSE(utf8_to_iso2022jp("ｶﾀｶﾅ", &e));
  EXPECT_EQ(e.offset, 0u);
}

TEST(Charset, ReportsTheOffsetOfABadByte) {
  CharsetError e;
  EXPECT_FALSE(iso2022jp_to_utf8(std::string("abc\xfb\xfc"), &e));
  EXPECT_EQ(e.offset, 3u);
}

TEST(Charset, ValidatesUtf8) {
  EXPECT_TRUE(is_valid_utf8("患者 abc"));
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));      // overlong
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));  // surrogate
  EXPECT_FALSE(is_valid_utf8("\xe6\x82"));      // truncated
}

}  // namespace
}  // namespace hareyaka::hl7v2
