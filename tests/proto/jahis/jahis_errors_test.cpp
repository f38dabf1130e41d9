// Malformed お薬手帳 files: each refusal is a hareyaka::Error (kUnprocessable) naming the line
// and the reason, without a value from the file; forward-compatible oddities are warnings.
#include <gtest/gtest.h>

#include "common/error.hpp"
#include "proto/jahis/notebook.hpp"

namespace hareyaka::jahis {
namespace {

constexpr const char* kHead = "JAHISTC08,1\n1,晴山 花子,2,19620415\n";  // lines 1 and 2

std::string error_of(const std::string& text) {
  try {
    parse_notebook(text);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnprocessable) << e.external();
    return e.external();
  }
  return "(accepted)";
}

std::string with_head(const std::string& rest) {
  return std::string(kHead) + rest;
}

TEST(JahisErrors, VersionRecord) {
  EXPECT_EQ(error_of(""), "line 1: the file is empty: no version record (JAHISTCnn)");
  EXPECT_EQ(error_of("\r\n\n"), "line 1: the file is empty: no version record (JAHISTCnn)");
  EXPECT_EQ(error_of("1,晴山 花子,2,19620415\n5,20261201,1\n"),
            "line 1: no version record: a JAHIS file starts with JAHISTCnn");
  EXPECT_EQ(error_of("\nJAHIS9\n"),
            "line 2: no version record: a JAHIS file starts with JAHISTCnn");
  EXPECT_EQ(error_of("JAHISTC8,1\n"),
            "line 1: unknown version record (JAHISTC and two digits expected)");
  EXPECT_EQ(error_of("JAHISTC00,1\n"),
            "line 1: unknown version record (JAHISTC and two digits expected)");
  EXPECT_EQ(error_of("JAHISTCAB,1\n"),
            "line 1: unknown version record (JAHISTC and two digits expected)");
}

TEST(JahisErrors, ANewerVersionIsReadWithAWarning) {
  const Notebook nb = parse_notebook("JAHISTC09,1\n5,20261201,1\n");
  EXPECT_EQ(nb.version, "JAHISTC09");
  ASSERT_EQ(nb.warnings.size(), 1u);
  EXPECT_EQ(nb.warnings[0].line, 1u);
  EXPECT_EQ(nb.warnings[0].message, "version JAHISTC09 is newer than JAHISTC08; read as JAHISTC08");
}

TEST(JahisErrors, ARepeatedVersionRecordContinuesTheFile) {
  const Notebook nb =
      parse_notebook(with_head("5,20261201,1\n201,1,薬,1,錠,1,,1\n301,1,朝食後,7,日分,1,1,,1\n"
                               "JAHISTC08,1\n1,晴山 花子,2,19620415\n5,20261202,1\n"));
  EXPECT_EQ(nb.dispensings.size(), 2u);
  EXPECT_TRUE(nb.warnings.empty());
}

TEST(JahisErrors, RecordsOfADispensingBeforeTheFirstRecord5) {
  EXPECT_EQ(error_of(with_head("201,1,薬,1,錠,1,,1\n")),
            "line 3: record 201 (薬品) before the first 調剤等年月日 record (5): it belongs to "
            "a dispensing");
  EXPECT_EQ(error_of(with_head("11,はれやか薬局,37,4,1234567\n5,20261201,1\n")),
            "line 3: record 11 (調剤-医療機関等) before the first 調剤等年月日 record (5): it "
            "belongs to a dispensing");
  // Records of the notebook itself may come anywhere.
  EXPECT_NO_THROW(parse_notebook(with_head("2,1,卵アレルギー,1\n4,メモ,,2\n5,20261201,1\n")));
}

TEST(JahisErrors, RpNumbersThatReferToNothing) {
  EXPECT_EQ(error_of(with_head("5,20261201,1\n201,1,薬,1,錠,1,,1\n301,2,朝食後,7,日分,1,1,,1\n")),
            "line 5: record 301 (用法) names RP 2, which has no drug record (201) before it in "
            "this dispensing");
  EXPECT_EQ(error_of(with_head("5,20261201,1\n281,1,粉砕不可,1\n")),
            "line 4: record 281 (薬品補足) names RP 1, which has no drug record (201) before it "
            "in this dispensing");
  EXPECT_EQ(error_of(with_head("5,20261201,1\n391,3,注意,1\n")),
            "line 4: record 391 (処方服用注意) names RP 3, which has no drug record (201) "
            "before it in this dispensing");
  // An RP of an earlier dispensing is not this one's.
  EXPECT_EQ(error_of(with_head("5,20261201,1\n201,1,薬,1,錠,1,,1\n301,1,朝食後,7,日分,1,1,,1\n"
                               "5,20261202,1\n311,1,補足,1\n")),
            "line 7: record 311 (用法補足) names RP 1, which has no drug record (201) before it "
            "in this dispensing");
  // A drug whose RP never gets its usage.
  EXPECT_EQ(error_of(with_head("5,20261201,1\n201,1,薬,1,錠,1,,1\n201,2,薬2,1,錠,1,,1\n"
                               "301,1,朝食後,7,日分,1,1,,1\n5,20261202,1\n")),
            "line 5: record 201 (薬品) of RP 2 has no usage record (301) in its dispensing");
  EXPECT_EQ(error_of(with_head("5,20261201,1\n201,1,薬,1,錠,1,,1\n")),
            "line 4: record 201 (薬品) of RP 1 has no usage record (301) in its dispensing");
  EXPECT_EQ(error_of(with_head("5,20261201,1\n201,1,薬,1,錠,1,,1\n301,1,朝,7,日分,1,1,,1\n"
                               "301,1,夕,7,日分,1,1,,1\n")),
            "line 6: a second record 301 (用法) for RP 1; the first is on line 5");
  EXPECT_EQ(error_of(with_head("5,20261201,1\n201,A,薬,1,錠,1,,1\n")),
            "line 4: record 201 (薬品): the RP number is not a number of 1 to 3 digits");
  EXPECT_EQ(error_of(with_head("5,20261201,1\n201,1000,薬,1,錠,1,,1\n")),
            "line 4: record 201 (薬品): the RP number is not a number of 1 to 3 digits");
}

TEST(JahisErrors, APatientsOwnEntryWithoutUsageIsAWarning) {
  const Notebook nb = parse_notebook("JAHISTC08,2\n5,20261201,2\n201,1,薬,1,錠,1,,2\n");
  ASSERT_EQ(nb.warnings.size(), 1u);
  EXPECT_EQ(nb.warnings[0].line, 3u);
  EXPECT_EQ(nb.warnings[0].message,
            "record 201 (薬品) of RP 1 has no usage record (301) in its dispensing");
  ASSERT_EQ(to_medication_orders(nb, "f").size(), 1u);
}

TEST(JahisErrors, BadDates) {
  EXPECT_EQ(error_of(with_head("5,20261332,1\n")), "line 3: 調剤等年月日 is not a calendar date");
  EXPECT_EQ(error_of(with_head("5,20250229,1\n")), "line 3: 調剤等年月日 is not a calendar date");
  EXPECT_EQ(error_of(with_head("5,2026-12-01,1\n")),
            "line 3: 調剤等年月日 is not a date (YYYYMMDD, or GYYMMDD with era M, T, S, H or R)");
  EXPECT_EQ(error_of(with_head("5,X010101,1\n")),
            "line 3: 調剤等年月日 is not a date (YYYYMMDD, or GYYMMDD with era M, T, S, H or R)");
  EXPECT_EQ(error_of(with_head("5,R000101,1\n")),
            "line 3: 調剤等年月日 has an era year out of range");
  EXPECT_EQ(error_of(with_head("5,T160101,1\n")),
            "line 3: 調剤等年月日 has an era year out of range");
  EXPECT_EQ(error_of(with_head("5,,1\n")), "line 3: 調剤等年月日 is empty");
  EXPECT_EQ(error_of("JAHISTC08,1\n1,晴山 花子,2,1962041\n"),
            "line 2: 患者生年月日 is not a date (YYYYMMDD, or GYYMMDD with era M, T, S, H or R)");
  EXPECT_EQ(error_of(with_head("5,20261201,1\n601,記入,20261232\n")),
            "line 4: 入力年月日 is not a calendar date");
}

TEST(JahisErrors, FieldCounts) {
  EXPECT_EQ(error_of(with_head("5\n")),
            "line 3: record 5 (調剤等年月日) has 0 field(s); it needs at least 1");
  EXPECT_EQ(error_of(with_head("5,20261201,1\n201,1\n")),
            "line 4: record 201 (薬品) has 1 field(s); it needs at least 2");
  EXPECT_EQ(error_of("JAHISTC08,1\n1,晴山 花子\n"),
            "line 2: record 1 (患者情報) has 1 field(s); it needs at least 3");
  EXPECT_EQ(error_of(with_head("5,20261201,1,,,,,,,\n")),
            "line 3: record 5 (調剤等年月日) has 9 fields; 2 are defined");
  // A few more fields than defined: a newer version's additions, read with a warning.
  const Notebook nb = parse_notebook(
      with_head("5,20261201,1,x\n201,1,薬,1,錠,1,,1,,,,new\n301,1,朝食後,7,日分,1,1,,1\n"));
  ASSERT_EQ(nb.warnings.size(), 2u);
  EXPECT_EQ(nb.warnings[0].line, 3u);
  EXPECT_EQ(nb.warnings[0].message,
            "record 5 (調剤等年月日) has 3 fields; 2 are defined, the rest ignored");
  EXPECT_EQ(nb.warnings[1].line, 4u);
  EXPECT_EQ(nb.dispensings.at(0).rps.at(0).drugs.at(0).name, "薬");
}

TEST(JahisErrors, LimitsOnFieldsAndWarnings) {
  EXPECT_EQ(error_of(with_head("5,20261201,1\n777" + std::string(64, ',') + "\n")),
            "line 4: more than 64 fields");
  std::string many = with_head("5,20261201,1\n");
  for (int i = 0; i < 250; ++i)
    many += "777,x\n";
  const Notebook nb = parse_notebook(many);
  ASSERT_EQ(nb.warnings.size(), 201u);
  EXPECT_EQ(nb.warnings[199].line, 203u);
  EXPECT_EQ(nb.warnings[200].line, 253u);
  EXPECT_EQ(nb.warnings[200].message, "50 more warnings not listed");
}

TEST(JahisErrors, CodesAndDatesAreTrimmedTextIsNot) {
  const Notebook nb =
      parse_notebook(with_head("5, 20261201 ,1\n201, 1 , 薬 , 1.5 ,g,2, 612310013,1\n"
                               "301,1, 朝食後 , 7 ,日分, 1 ,1,,1\n"));
  const Rp& rp = nb.dispensings.at(0).rps.at(0);
  EXPECT_EQ(nb.dispensings[0].date, "2026-12-01");
  EXPECT_EQ(rp.drugs.at(0).code, "612310013");
  EXPECT_EQ(rp.drugs[0].dose, "1.5");
  EXPECT_EQ(rp.drugs[0].name, " 薬 ");
  EXPECT_EQ(rp.usage.quantity, "7");
  EXPECT_EQ(rp.usage.form_code, "1");
  EXPECT_EQ(rp.usage.name, " 朝食後 ");
}

TEST(JahisErrors, Quoting) {
  EXPECT_EQ(error_of(with_head("5,20261201,1\n501,\"開いたまま,1\n")),
            "line 4: the quote of field 2 is not closed on its line");
  EXPECT_EQ(error_of(with_head("5,20261201,1\n501,\"閉じた\"後,1\n")),
            "line 4: text after the closing quote of field 2 (a quoted field must end at a "
            "comma)");
  const Notebook nb =
      parse_notebook(with_head("5,20261201,1\n501,\"a,b\",1\n501,\"say \"\"hi\"\"\",1\n501,\"\",1\n"
                               "501,un\"quoted,1\n"));
  EXPECT_EQ(nb.dispensings.at(0).notes,
            (std::vector<std::string>{"a,b", "say \"hi\"", "", "un\"quoted"}));
}

TEST(JahisErrors, RecordNumbers) {
  EXPECT_EQ(error_of(with_head("abc,1\n")), "line 3: the first field is not a record number");
  EXPECT_EQ(error_of(with_head(",1\n")), "line 3: the first field is not a record number");
  const Notebook nb = parse_notebook(with_head("5,20261201,1\n777,将来,1\n 401 ,注意,1\n"));
  ASSERT_EQ(nb.warnings.size(), 1u);
  EXPECT_EQ(nb.warnings[0].line, 4u);
  EXPECT_EQ(nb.warnings[0].message, "unknown record number 777, skipped");
  EXPECT_EQ(nb.dispensings.at(0).cautions, std::vector<std::string>{"注意"});
}

TEST(JahisErrors, RepeatedSingleRecordsKeepTheFirst) {
  const Notebook nb = parse_notebook(
      with_head("1,別人,1,19700101\n5,20261201,1\n11,薬局A,37,4,1111111\n11,薬局B,37,4,2222222\n"));
  ASSERT_EQ(nb.warnings.size(), 2u);
  EXPECT_EQ(nb.warnings[0].line, 3u);
  EXPECT_EQ(nb.warnings[0].message,
            "a second, different patient record (1); the one on line 2 is kept");
  EXPECT_EQ(nb.warnings[1].line, 6u);
  EXPECT_EQ(nb.patient.name, "晴山 花子");
  EXPECT_EQ(nb.dispensings.at(0).pharmacy.name, "薬局A");
}

TEST(JahisErrors, Encoding) {
  EXPECT_EQ(error_of("JAHISTC08,1\n1,\xFF\xFE,2,19620415\n"),
            "line 2: the file is neither UTF-8 nor Shift_JIS (CP932)");
}

TEST(JahisErrors, MessagesNameNoValueOfTheFile) {
  const std::string secret = "19620499";
  const std::string why = error_of("JAHISTC08,1\n1,晴山 花子,2," + secret + "\n");
  EXPECT_EQ(why.find(secret), std::string::npos) << why;
  EXPECT_EQ(why.find("晴山"), std::string::npos) << why;
}

}  // namespace
}  // namespace hareyaka::jahis
