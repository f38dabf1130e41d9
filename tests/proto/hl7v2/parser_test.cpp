#include "proto/hl7v2/parser.hpp"

#include <gtest/gtest.h>

#include "proto/hl7v2/charset.hpp"

namespace hareyaka::hl7v2 {
namespace {

constexpr const char* kMsh = "MSH|^~\\&|HIS|SEND|GW|RCV|20111220224447||ADT^A08^ADT_A01|1|P|2.5";

TEST(Hl7v2Parser, SplitsFieldsComponentsRepetitionsSubcomponents) {
  std::string text =
      std::string(kMsh) +
      "\rPID|0001||9999013^^^^PI||患者^太郎^^^^^L^I~カンジャ^タロウ^^^^^L^P||19480405|M"
      "\rTQ1|1||1013044400000000&内服&JAMISDP01|||5^d\r";
  ParseResult r = parse(*utf8_to_iso2022jp(text));
  ASSERT_TRUE(r.ok()) << r.error->to_string();
  const auto& segs = r.message.segments();
  ASSERT_EQ(segs.size(), 3u);
  EXPECT_EQ(r.message.message_type(), "ADT");
  EXPECT_EQ(r.message.trigger_event(), "A08");
  const Segment& msh = segs[0];
  EXPECT_EQ(msh.get(1), "|");
  EXPECT_EQ(msh.get(2), "^~\\&");
  EXPECT_EQ(msh.get(12), "2.5");
  const Segment& pid = segs[1];
  EXPECT_EQ(pid.get(3, 1), "9999013");
  EXPECT_EQ(pid.get(3, 5), "PI");
  EXPECT_EQ(pid.repetitions(5), 2);
  EXPECT_EQ(pid.get(5, 1, 0, 0), "患者");
  EXPECT_EQ(pid.get(5, 2, 0, 1), "タロウ");
  EXPECT_EQ(pid.get(5, 8, 0, 1), "P");
  EXPECT_EQ(pid.get(8), "M");
  EXPECT_EQ(pid.get(40), "");  // absent fields read as empty
  const Segment& tq1 = segs[2];
  EXPECT_EQ(tq1.get(3, 1, 1), "1013044400000000");
  EXPECT_EQ(tq1.get(3, 1, 2), "内服");
  EXPECT_EQ(tq1.get(6, 2), "d");
}

TEST(Hl7v2Parser, DecodesEscapeSequences) {
  std::string text =
      std::string(kMsh) + "\rOBX|1|TX|X^Y||a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f\\.br\\g\\X41\\";
  ParseResult r = parse(text);
  ASSERT_TRUE(r.ok()) << r.error->to_string();
  EXPECT_EQ(r.message.segments()[1].get(5), "a|b^c&d~e\\f\ngA");
  // An escaped separator never splits.
  EXPECT_EQ(r.message.segments()[1].repetitions(5), 1);
}

TEST(Hl7v2Parser, UsesTheSeparatorsDeclaredInMsh) {
  ParseResult r = parse("MSH#*!@%#A#B\rPID#1##X*Y!Z*W%V");
  ASSERT_TRUE(r.ok()) << r.error->to_string();
  const Segment& pid = r.message.segments()[1];
  EXPECT_EQ(pid.get(3, 1), "X");
  EXPECT_EQ(pid.get(3, 2, 0, 0), "Y");
  EXPECT_EQ(pid.get(3, 1, 0, 1), "Z");
  EXPECT_EQ(pid.get(3, 2, 2, 1), "V");
}

TEST(Hl7v2Parser, ToleratesLineEndsAndMllpFraming) {
  for (std::string end : {"\r", "\n", "\r\n"}) {
    std::string text = "\x0b" + std::string(kMsh) + end + "PID|1||42" + end + "\x1c\r";
    ParseResult r = parse(text);
    ASSERT_TRUE(r.ok()) << r.error->to_string();
    ASSERT_EQ(r.message.segments().size(), 2u);
    EXPECT_EQ(r.message.segments()[1].get(3), "42");
  }
  ParseResult no_final_cr = parse(std::string(kMsh) + "\rPID|1||42");
  ASSERT_TRUE(no_final_cr.ok());
  EXPECT_EQ(no_final_cr.message.segments()[1].get(3), "42");
}

TEST(Hl7v2Parser, ReportsWhereAMessageIsBroken) {
  struct Case {
    std::string text;
    std::string expected;
  };
  std::vector<Case> cases = {
      {"", "empty file: no MSH segment"},
      {"PID|1||42\r", "segment 1: the message does not start with an MSH segment"},
      {"MSH|^~\r", "segment 1 (MSH), field 2: MSH-1/MSH-2 must declare"},
      {"MSH|^^\\&|X\r", "segment 1 (MSH), field 2: MSH-1/MSH-2 declare the same separator twice"},
      {std::string(kMsh) + "\rpid|1\r", "segment 2: invalid segment name"},
      {std::string(kMsh) + "\rPIDX|1\r", "segment 2: invalid segment name"},
      {std::string(kMsh) + "\rPID|1||a\\Fb\r",
       "segment 2 (PID), field 3: unterminated escape sequence"},
      {std::string(kMsh) + "\rPID|1|\x01|\r", "segment 2 (PID), field 2: control character"},
      {std::string(kMsh) + "\rPID|1\r" + kMsh + "\r",
       "segment 3 (MSH): MSH is allowed only as the first"},
      {std::string(kMsh) + "\rPID|1|\x80\r", "segment 2: not ISO-2022-JP text at byte"},
  };
  for (const auto& c : cases) {
    ParseResult r = parse(c.text);
    ASSERT_FALSE(r.ok()) << "accepted: " << c.text;
    EXPECT_EQ(r.error->to_string().rfind(c.expected, 0), 0u)
        << "got: " << r.error->to_string() << "\nexpected prefix: " << c.expected;
  }
}

TEST(Hl7v2Parser, KeepsTheSegmentsBeforeAnError) {
  ParseResult r = parse(std::string(kMsh) + "\rPID|1||42\rBAD\x01\r");
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.message.segments().size(), 2u);
  EXPECT_EQ(r.message.find("PID")->get(3), "42");
}

TEST(Hl7v2Parser, DecodesIso2022JpBeforeSplitting) {
  // 患者 in JIS X 0208 is ESC $ B 34 35 3C 54: the bytes contain no separator here, but
  // ソバ (25 3D 25 50) and 〜 would; decoding first makes that irrelevant.
  std::string utf8 = std::string(kMsh) + "\rPID|1||1||患者^ソバ|\r";
  auto jis = utf8_to_iso2022jp(utf8);
  ASSERT_TRUE(jis);
  EXPECT_NE(jis->find('\x1b'), std::string::npos);
  ParseResult r = parse(*jis);
  ASSERT_TRUE(r.ok()) << r.error->to_string();
  EXPECT_EQ(r.message.segments()[1].get(5, 1), "患者");
  EXPECT_EQ(r.message.segments()[1].get(5, 2), "ソバ");
}

TEST(Hl7v2Parser, AcceptsUtf8OnlyWhenDeclared) {
  std::string utf8 = std::string(kMsh) + "||||||UNICODE UTF-8\rPID|1||1||患者\r";
  ParseResult r = parse(utf8);
  ASSERT_TRUE(r.ok()) << r.error->to_string();
  EXPECT_EQ(r.message.segments()[1].get(5), "患者");
  ParseResult undeclared = parse(std::string(kMsh) + "\rPID|1||1||患者\r");
  EXPECT_FALSE(undeclared.ok());
}

TEST(Hl7v2Parser, BareSegmentNamesAreEmptySegments) {
  ParseResult r = parse(std::string(kMsh) + "\rAL1\rZE1\r");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.message.segments()[1].name(), "AL1");
  EXPECT_EQ(r.message.segments()[1].field_count(), 0);
}

}  // namespace
}  // namespace hareyaka::hl7v2
