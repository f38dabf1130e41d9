#include "pix/japanese_name.hpp"

#include <gtest/gtest.h>

namespace hareyaka::pix {
namespace {

TEST(NormalizeKana, WidthScriptSpacesAndVoicedMarks) {
  EXPECT_EQ(normalize_kana("ﾔﾏﾀﾞ ﾀﾛｳ"), "ヤマダタロウ");
  EXPECT_EQ(normalize_kana("やまだ　たろう"), "ヤマダタロウ");
  EXPECT_EQ(normalize_kana("ヤマダ・タロウ"), "ヤマダタロウ");
  EXPECT_EQ(normalize_kana("ﾊﾟﾝ"), "パン");
  EXPECT_EQ(normalize_kana("ｳﾞｨｰ"), "ヴィー");
  EXPECT_EQ(normalize_kana("カ\u3099"), "ガ");   // combining dakuten
  EXPECT_EQ(normalize_kana("ヨ-コ"), "ヨーコ");  // a dash after kana is the long vowel
  EXPECT_EQ(normalize_kana("ｽｽﾞｷ ｲﾁﾛｰ"), "スズキイチロー");
  EXPECT_EQ(normalize_kana("ＹＡＭＡＤＡ taro"), "YAMADATARO");
}

TEST(KanaKey, FoldsTheVariantsFacilitiesProduce) {
  // Long vowels spelt three ways.
  EXPECT_EQ(kana_key("ヨーコ"), kana_key("ヨウコ"));
  EXPECT_EQ(kana_key("ヨーコ"), kana_key("ヨオコ"));
  EXPECT_EQ(kana_key("ｻﾄｳ"), kana_key("サトー"));
  EXPECT_EQ(kana_key("ケイコ"), kana_key("ケーコ"));
  // Small kana written large.
  EXPECT_EQ(kana_key("キョウコ"), kana_key("キヨウコ"));
  EXPECT_EQ(kana_key("ハットリ"), kana_key("ハツトリ"));
  // Voiced marks lost or added; ヂ/ジ, ヅ/ズ.
  EXPECT_EQ(kana_key("ヤマザキ"), kana_key("ヤマサキ"));
  EXPECT_EQ(kana_key("ミカヅキ"), kana_key("ミカズキ"));
  EXPECT_EQ(kana_key("ﾊﾅﾁﾞ"), kana_key("ハナジ"));
  // Different names stay different.
  EXPECT_NE(kana_key("ヒロシ"), kana_key("ヒロミ"));
  EXPECT_NE(kana_key("タナカ"), kana_key("ナカタ"));
  EXPECT_NE(kana_key("ユウコ"), kana_key("ヨウコ"));
}

TEST(NormalizeKanji, VariantKanjiAndWidth) {
  EXPECT_EQ(normalize_kanji("髙橋"), normalize_kanji("高橋"));
  EXPECT_EQ(normalize_kanji("山﨑"), normalize_kanji("山崎"));
  EXPECT_EQ(normalize_kanji("渡邊"), normalize_kanji("渡辺"));
  EXPECT_EQ(normalize_kanji("渡邉"), normalize_kanji("渡辺"));
  EXPECT_EQ(normalize_kanji("齋藤"), normalize_kanji("斉藤"));
  EXPECT_EQ(normalize_kanji("斎藤"), normalize_kanji("齊藤"));
  EXPECT_EQ(normalize_kanji("澤田"), normalize_kanji("沢田"));
  EXPECT_EQ(normalize_kanji("濱田"), normalize_kanji("浜田"));
  EXPECT_EQ(normalize_kanji("山田　太郎"), "山田太郎");
  EXPECT_NE(normalize_kanji("高橋"), normalize_kanji("高島"));
}

TEST(Script, KanaOrNot) {
  EXPECT_TRUE(is_kana_text("やまだ"));
  EXPECT_TRUE(is_kana_text("ﾔﾏﾀﾞ ﾀﾛｳ"));
  EXPECT_TRUE(is_kana_text("ヨーコ"));
  EXPECT_FALSE(is_kana_text("山田"));
  EXPECT_FALSE(is_kana_text("MOORE"));
  EXPECT_FALSE(is_kana_text(""));
  EXPECT_EQ(digits_only("０８６-２２４ 2111"), "0862242111");
}

TEST(Utf8, BrokenBytesNeverCrash) {
  const std::string junk = std::string("\xE3\x82", 2) + "\xFF" + "ア" + std::string("\xC3", 1);
  EXPECT_EQ(normalize_kana(junk), "ア");
  EXPECT_EQ(kana_key(junk), "ア");
}

}  // namespace
}  // namespace hareyaka::pix
