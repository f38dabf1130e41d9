// The CSV reader of the bulk import: encodings, RFC 4180 quoting, row numbers, header rules.
#include "portal/hpd_feed/csv_table.hpp"

#include <gtest/gtest.h>

#include "common/error.hpp"

namespace hareyaka::hpd_feed {
namespace {

std::string error_of(const std::string& text) {
  try {
    parse_csv(text);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(CsvTable, ReadsQuotedFieldsAndNumbersRowsAsTheSpreadsheet) {
  auto t = parse_csv(
      "\xEF\xBB\xBF Login_ID ,display_name\r\n"
      "a,\"山田, 太郎\"\r\n"
      "\r\n"
      "b,\"say \"\"hi\"\"\nsecond line\"\r\n"
      "c,  spaced  \n");
  EXPECT_EQ(t.encoding, "UTF-8");
  EXPECT_EQ(t.header, (std::vector<std::string>{"login_id", "display_name"}));
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(t.rows[0].number, 2);
  EXPECT_EQ(t.rows[0].cells[1], "山田, 太郎");
  EXPECT_EQ(t.rows[1].number, 4);
  EXPECT_EQ(t.rows[1].cells[1], "say \"hi\"\nsecond line");
  EXPECT_EQ(t.rows[2].number, 6);
  EXPECT_EQ(t.rows[2].cells[1], "spaced");
  EXPECT_EQ(t.column("DISPLAY_NAME"), 1u);
  EXPECT_FALSE(t.column("password"));
}

TEST(CsvTable, DecodesShiftJis) {
  // "name\n病院\n" in CP932.
  auto t = parse_csv(std::string("name\n\x95\x61\x89\x40\n"));
  EXPECT_EQ(t.encoding, "CP932");
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0].cells[0], "病院");
}

TEST(CsvTable, RefusesWhatCannotBeRead) {
  EXPECT_NE(error_of("a,b\n1,\"open\n"), "");
  EXPECT_NE(error_of("a,b\n1,\"open\n").find("row 2"), std::string::npos);
  EXPECT_NE(error_of("a,a\n1,2\n").find("appears twice"), std::string::npos);
  EXPECT_NE(error_of("a,,b\n").find("no name"), std::string::npos);
  EXPECT_NE(error_of("").find("empty"), std::string::npos);
  EXPECT_NE(error_of("\xEF\xBB\xBF\xFF\xFE").find("UTF-8"), std::string::npos);
}

TEST(CsvTable, Utf8Check) {
  EXPECT_TRUE(is_utf8("晴れやか abc"));
  EXPECT_FALSE(is_utf8("\xC0\xAF"));      // overlong
  EXPECT_FALSE(is_utf8("\xED\xA0\x80"));  // surrogate
  EXPECT_FALSE(is_utf8("\xE6\x99"));      // truncated
}

}  // namespace
}  // namespace hareyaka::hpd_feed
