#include "pix/latin_name.hpp"

#include <gtest/gtest.h>

#include "pix/japanese_name.hpp"

namespace hareyaka::pix {
namespace {

std::string key(std::string_view s) {
  return romaji_key(normalize_latin(s));
}

TEST(LatinName, ScriptDetection) {
  EXPECT_TRUE(is_latin_text("YAMADA Taro"));
  EXPECT_TRUE(is_latin_text("Tarō"));
  EXPECT_TRUE(is_latin_text("O'Brien-Müller"));
  EXPECT_TRUE(is_latin_text("ＹＡＭＡＤＡ"));
  EXPECT_TRUE(is_latin_text("Nguyễn Thị Ánh"));
  EXPECT_FALSE(is_latin_text("山田"));
  EXPECT_FALSE(is_latin_text("ヤマダ"));
  EXPECT_FALSE(is_latin_text("Yamada 太郎"));
  EXPECT_FALSE(is_latin_text(" - "));
  EXPECT_FALSE(is_latin_text(""));
}

TEST(LatinName, CaseDiacriticsAndSpacing) {
  EXPECT_EQ(normalize_latin("YAMADA"), "yamada");
  EXPECT_EQ(normalize_latin("Ｙａｍａｄａ"), "yamada");
  EXPECT_EQ(normalize_latin("Tarō"), "taro");
  EXPECT_EQ(normalize_latin("Nguyễn Thị Ánh"), "nguyenthianh");
  EXPECT_EQ(normalize_latin("José  María"), "josemaria");
  EXPECT_EQ(normalize_latin("O'Brien-Müller"), "obrienmuller");
  EXPECT_EQ(normalize_latin("Łukasz Dvořák"), "lukaszdvorak");
}

TEST(LatinName, HepburnKunreiAndLongVowelsCollide) {
  EXPECT_EQ(key("Tarou"), key("Taro"));
  EXPECT_EQ(key("Tarō"), key("TARO"));
  EXPECT_EQ(key("Yūko"), key("Yuuko"));
  EXPECT_EQ(key("Yuko"), key("Yuuko"));
  EXPECT_EQ(key("Ohno"), key("Ōno"));
  EXPECT_EQ(key("Oono"), key("Ono"));
  EXPECT_EQ(key("Satoh"), key("Sato"));
  EXPECT_EQ(key("Shimizu"), key("Simizu"));
  EXPECT_EQ(key("Tsutomu"), key("Tutomu"));
  EXPECT_EQ(key("Chihiro"), key("Tihiro"));
  EXPECT_EQ(key("Fujita"), key("Huzita"));
  EXPECT_EQ(key("Shouhei"), key("Syohei"));
  EXPECT_EQ(key("Kyouko"), key("Kyoko"));
  EXPECT_EQ(key("Homma"), key("Honma"));
  EXPECT_EQ(key("Namba"), key("Nanba"));
  EXPECT_EQ(key("Hatchi"), key("Hatti"));
  EXPECT_EQ(key("Matcha"), key("Mattya"));
  EXPECT_EQ(key("Shin'ichi"), key("Shinichi"));
  // Different names stay different.
  EXPECT_NE(key("Taro"), key("Jiro"));
  EXPECT_NE(key("Sato"), key("Saito"));
  EXPECT_NE(key("Hattori"), key("Hotta"));
  EXPECT_NE(key("Yoko"), key("Yuko"));
}

TEST(LatinName, KanaReadingInHepburn) {
  auto r = [](std::string_view kana) { return kana_romaji(normalize_kana(kana)); };
  EXPECT_EQ(r("ヤマダ"), "yamada");
  EXPECT_EQ(r("タロウ"), "tarou");
  EXPECT_EQ(r("シミズ"), "shimizu");
  EXPECT_EQ(r("キョウコ"), "kyouko");
  EXPECT_EQ(r("ショウヘイ"), "shouhei");
  EXPECT_EQ(r("チヒロ"), "chihiro");
  EXPECT_EQ(r("ジュン"), "jun");
  EXPECT_EQ(r("ハットリ"), "hattori");
  EXPECT_EQ(r("マッチャ"), "matcha");
  EXPECT_EQ(r("ヨーコ"), "yooko");
  EXPECT_EQ(r("ﾌｼﾞﾀ"), "fujita");
  EXPECT_EQ(r("ツトム"), "tsutomu");
  EXPECT_EQ(r("ヴィ"), "vi");
  EXPECT_EQ(r("フィ"), "fi");
  // Under the key, the kana reading meets the romaji spellings.
  EXPECT_EQ(romaji_key(r("ユウコ")), key("Yūko"));
  EXPECT_EQ(romaji_key(r("ヨーコ")), key("Yoko"));
  EXPECT_EQ(romaji_key(r("オオノ")), key("Ohno"));
  EXPECT_EQ(romaji_key(r("シュンスケ")), key("Syunsuke"));
  EXPECT_EQ(romaji_key(r("ホンマ")), key("Homma"));
}

}  // namespace
}  // namespace hareyaka::pix
