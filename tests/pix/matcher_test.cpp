#include "pix/matcher.hpp"

#include <gtest/gtest.h>

#include "pix/pdq_degree.hpp"

namespace hareyaka::pix {
namespace {

Demographics taro() {
  Demographics d;
  d.family_kanji = "山田";
  d.given_kanji = "太郎";
  d.family_kana = "ヤマダ";
  d.given_kana = "タロウ";
  d.birth_date = "19600101";
  d.sex = 'M';
  d.postal_code = "700-8570";
  d.phone = "086-224-2111";
  return d;
}

double score_of(const Demographics& a, const Demographics& b) {
  return score(match_record(a), match_record(b), MatchWeights{});
}

TEST(Matcher, SamePersonWithKanaVariantsLinksAutomatically) {
  Demographics b = taro();
  b.family_kana = "ﾔﾏﾀﾞ";
  b.given_kana = "ﾀﾛｰ";
  b.postal_code = "7008570";
  b.phone = "+81-86-224-2111";
  EXPECT_EQ(classify(score_of(taro(), b), MatchSettings{}), Decision::kAutoLink);
}

TEST(Matcher, NamesakeBornTheSameDayWithoutCorroborationIsOnlyReviewed) {
  Demographics b = taro();
  b.postal_code = "1000001";
  b.phone = "03-1234-5678";
  EXPECT_EQ(classify(score_of(taro(), b), MatchSettings{}), Decision::kReview);
}

TEST(Matcher, TwinsAndRelativesAreNotLinked) {
  Demographics twin = taro();
  twin.given_kanji = "次郎";
  twin.given_kana = "ジロウ";
  EXPECT_NE(classify(score_of(taro(), twin), MatchSettings{}), Decision::kAutoLink);
  Demographics father = taro();
  father.given_kanji = "一郎";
  father.given_kana = "イチロウ";
  father.birth_date = "19300505";
  EXPECT_EQ(classify(score_of(taro(), father), MatchSettings{}), Decision::kApart);
}

TEST(Matcher, DifferentPersonSameBirthDateStaysApart) {
  Demographics other;
  other.family_kanji = "佐藤";
  other.given_kanji = "花子";
  other.family_kana = "サトウ";
  other.given_kana = "ハナコ";
  other.birth_date = "19600101";
  other.sex = 'F';
  EXPECT_EQ(classify(score_of(taro(), other), MatchSettings{}), Decision::kApart);
}

TEST(Matcher, BirthDateTyposAreNear) {
  EXPECT_TRUE(near_birth_date("19600101", "19600107"));
  EXPECT_TRUE(near_birth_date("19600112", "19600121"));  // adjacent swap
  EXPECT_TRUE(near_birth_date("19600312", "19601203"));  // day/month swapped
  EXPECT_FALSE(near_birth_date("19600101", "19710101"));
  EXPECT_FALSE(near_birth_date("19600101", "19600101"));
  // A one-digit typo still links when phone and postal code agree; without them, review.
  Demographics typo = taro();
  typo.birth_date = "19600110";
  EXPECT_EQ(classify(score_of(taro(), typo), MatchSettings{}), Decision::kAutoLink);
  typo.phone.clear();
  EXPECT_EQ(classify(score_of(taro(), typo), MatchSettings{}), Decision::kReview);
}

// The same person from a romaji-only EMR: no kana, the name in the (alphabetic) kanji field.
Demographics romaji(std::string family, std::string given) {
  Demographics d = taro();
  d.family_kanji = std::move(family);
  d.given_kanji = std::move(given);
  d.family_kana.clear();
  d.given_kana.clear();
  return d;
}

TEST(Matcher, LatinNamesLinkAcrossRomanisationCaseOrderAndSpacing) {
  const Demographics a = romaji("YAMADA", "TAROU");
  // Issue #24: the identical romaji record scored 14 and was only reviewed.
  EXPECT_EQ(classify(score_of(a, a), MatchSettings{}), Decision::kAutoLink);
  for (const Demographics& b : {romaji("Yamada", "Tarō"), romaji("yamada", "taro"),
                                romaji("Taro", "Yamada"), romaji("Taro Yamada", ""),
                                romaji("YAMADA TAROH", ""), romaji("ＹＡＭＡＤＡ", "Ｔａｒｏ")}) {
    EXPECT_EQ(classify(score_of(a, b), MatchSettings{}), Decision::kAutoLink)
        << b.family_kanji << " " << b.given_kanji << " " << score_of(a, b);
  }
  // Kunrei against Hepburn, a foreign name with diacritics.
  EXPECT_EQ(
      classify(score_of(romaji("SIMIZU", "SYOUHEI"), romaji("Shimizu", "Shōhei")), MatchSettings{}),
      Decision::kAutoLink);
  EXPECT_EQ(
      classify(score_of(romaji("Nguyễn", "Thị Ánh"), romaji("NGUYEN", "THI ANH")), MatchSettings{}),
      Decision::kAutoLink);
}

TEST(Matcher, RomajiMatchesTheKanaReading) {
  // One hospital has kanji and kana, the other romaji only.
  EXPECT_EQ(classify(score_of(taro(), romaji("YAMADA", "TARO")), MatchSettings{}),
            Decision::kAutoLink);
  EXPECT_EQ(classify(score_of(romaji("Taro", "Yamada"), taro()), MatchSettings{}),
            Decision::kAutoLink);
  // Romaji written into the kana field is read as romaji.
  Demographics syl = taro();
  syl.family_kana = "YAMADA";
  syl.given_kana = "TAROU";
  EXPECT_EQ(classify(score_of(taro(), syl), MatchSettings{}), Decision::kAutoLink);
  // Another given name (a twin) is never linked automatically, another name not at all.
  EXPECT_NE(classify(score_of(taro(), romaji("YAMADA", "JIRO")), MatchSettings{}),
            Decision::kAutoLink);
  EXPECT_EQ(classify(score_of(taro(), romaji("SUZUKI", "JIRO")), MatchSettings{}),
            Decision::kApart);
}

TEST(Matcher, LatinTwinsAndNamesakesAreNotLinked) {
  const Demographics a = romaji("Smith", "John");
  Demographics twin = romaji("SMITH", "JAMES");
  EXPECT_NE(classify(score_of(a, twin), MatchSettings{}), Decision::kAutoLink);
  Demographics namesake = romaji("John", "Smith");
  namesake.postal_code = "1000001";
  namesake.phone = "03-1234-5678";
  EXPECT_EQ(classify(score_of(a, namesake), MatchSettings{}), Decision::kReview);
  EXPECT_EQ(classify(score_of(romaji("Sato", "Yoko"), romaji("Saito", "Yoko")), MatchSettings{}),
            Decision::kReview);  // one part differs: never automatic
}

TEST(Matcher, ThresholdsComeFromSettings) {
  MatchSettings strict;
  strict.auto_link_threshold = 100;
  EXPECT_EQ(classify(score_of(taro(), taro()), strict), Decision::kReview);
  MatchSettings loose;
  loose.auto_link_threshold = 5;
  loose.review_threshold = 1;
  EXPECT_EQ(classify(8, loose), Decision::kAutoLink);
  EXPECT_EQ(classify(0, loose), Decision::kApart);
}

}  // namespace
}  // namespace hareyaka::pix

namespace hareyaka::pix {
namespace {

TEST(MatchDegree, CountsOnlyTheQueriedFields) {
  Demographics c;
  c.family_kanji = "渡邊";
  c.given_kanji = "洋子";
  c.family_kana = "ワタナベ";
  c.given_kana = "ヨウコ";
  c.birth_date = "19580412";
  c.sex = 'F';
  c.phone = "086-224-2111";
  EXPECT_EQ(match_degree(SearchCriteria{.family = "ﾜﾀﾅﾍﾞ"}, c), 100);
  EXPECT_EQ(match_degree(SearchCriteria{.family = "ワタ*"}, c), 100);
  EXPECT_EQ(match_degree(SearchCriteria{.family = "渡辺", .given = "洋子"}, c), 100);
  EXPECT_EQ(match_degree(SearchCriteria{.ids = {{"1.2.3", "X"}}}, c), 100);
  EXPECT_EQ(match_degree(SearchCriteria{.family = "ワタナベ", .given = "ヨーコ"}, c), 93);
  // A wrong birth date weighs most; one digit off still counts a little.
  const int wrong = match_degree(SearchCriteria{.family = "ワタナベ", .birth_date = "19991231"}, c);
  const int near = match_degree(SearchCriteria{.family = "ワタナベ", .birth_date = "19580413"}, c);
  EXPECT_EQ(wrong, 40);
  EXPECT_GT(near, wrong);
  EXPECT_LT(near, 100);
  EXPECT_EQ(match_degree(SearchCriteria{.birth_date = "1958", .phone = "0862242111"}, c), 100);
  EXPECT_EQ(match_degree(SearchCriteria{.family = "サトウ", .sex = 'M'}, c), 0);
}

}  // namespace
}  // namespace hareyaka::pix
