#include "proto/ssmix2/storage_path.hpp"

#include <gtest/gtest.h>

namespace hareyaka::ssmix2 {
namespace {

TEST(Ssmix2FileName, ParsesEveryPart) {
  auto n = parse_file_name("9999013_20110701_OMP-01_000000011000185_20110701224603984_01_1");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->patient_id, "9999013");
  EXPECT_EQ(n->date, 20110701u);
  EXPECT_EQ(n->type, DataType::kOmp01);
  EXPECT_EQ(n->order_no, "000000011000185");
  EXPECT_EQ(n->timestamp, 20110701224603984ull);
  EXPECT_EQ(n->department, "01");
  EXPECT_EQ(n->condition, Condition::kCurrent);
  EXPECT_EQ(n->to_string(), "9999013_20110701_OMP-01_000000011000185_20110701224603984_01_1");

  auto dateless = parse_file_name("9999013_-_ADT-00_999999999999999_20111220224447339_-_1");
  ASSERT_TRUE(dateless);
  EXPECT_EQ(dateless->date, 0u);
  EXPECT_EQ(dateless->department, "-");
  EXPECT_EQ(parse_file_name("1_20110101_OMD_1_20110101000000000_01_2")->condition,
            Condition::kSuperseded);
  EXPECT_EQ(parse_file_name("1_20110101_OMD_1_20110101000000000_01_0")->condition,
            Condition::kDeleted);
}

TEST(Ssmix2FileName, SaysWhichPartIsWrong) {
  struct Case {
    const char* name;
    const char* error;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"junk", "file name has fewer than 7 parts"},
           {"1_20110101_OMD_1_20110101000000000_01_1_x", "file name has more than 7 parts"},
           {"1_20110231_OMD_1_20110101000000000_01_1", "date part"},
           {"1_20110101_OMD_1_2011010100000000_01_1", "timestamp part"},
           {"1_20110101_OMD_1_20110101000000000_01_3", "condition flag"},
           {"患者_20110101_OMD_1_20110101000000000_01_1", "patient id part"},
       }) {
    FileNameError e;
    EXPECT_FALSE(parse_file_name(c.name, &e)) << c.name;
    EXPECT_NE(e.message.find(c.error), std::string::npos) << c.name << ": " << e.message;
  }
}

TEST(Ssmix2StoragePath, AcceptsTheStandardLayout) {
  auto c = check_standard_path(
      "999/901/9999013/20110701/OMP-01/"
      "9999013_20110701_OMP-01_000000011000185_20110701224603984_01_1");
  EXPECT_TRUE(c.problems.empty()) << c.problems.front();
  ASSERT_TRUE(c.name);
  EXPECT_EQ(standard_relative_path(*c.name),
            "999/901/9999013/20110701/OMP-01/"
            "9999013_20110701_OMP-01_000000011000185_20110701224603984_01_1");
  EXPECT_EQ(patient_folder("12"), "12//12");  // the rule slices; shorter ids leave it short
}

TEST(Ssmix2StoragePath, ReportsEveryDisagreementWithTheFolders) {
  // The testing tool's junk case: another patient's, date's and type's name in this folder.
  auto c = check_standard_path(
      "000/000/0000001/20000401/ADT-31/"
      "9999013_20110630_OMP-11_123456789012345_20110701113813225_01_1");
  ASSERT_EQ(c.problems.size(), 3u);
  EXPECT_NE(c.problems[0].find("patient id differs"), std::string::npos);
  EXPECT_NE(c.problems[1].find("date differs"), std::string::npos);
  EXPECT_NE(c.problems[2].find("data type OMP-11 differs from its data type folder ADT-31"),
            std::string::npos);

  auto wrong_prefix = check_standard_path(
      "123/456/9999013/-/ADT-00/9999013_-_ADT-00_999999999999999_20111220224447339_-_1");
  ASSERT_EQ(wrong_prefix.problems.size(), 1u);
  EXPECT_NE(wrong_prefix.problems[0].find("characters 1-3 and 4-6"), std::string::npos);

  auto unknown = check_standard_path(
      "999/901/9999013/-/XYZ-99/9999013_-_XYZ-99_999999999999999_20111220224447339_-_1");
  ASSERT_EQ(unknown.problems.size(), 1u);
  EXPECT_EQ(unknown.problems[0], "unknown data type folder 'XYZ-99'");

  auto shallow = check_standard_path("999/901/readme.txt");
  ASSERT_FALSE(shallow.problems.empty());
  EXPECT_NE(shallow.problems[0].find("depth 6"), std::string::npos);
}

TEST(Ssmix2StoragePath, ParsesExtendedStorage) {
  auto c = check_extended_path(
      "100/000/1000001/20240105/DSUM^退院時サマリー^99HYK^18842-5^Discharge summary^LN/"
      "1000001_20240105_DSUM_000000000000001_20240105120000000_01_1/summary.pdf");
  ASSERT_TRUE(c.location) << c.problems.front();
  EXPECT_EQ(c.location->patient_id, "1000001");
  EXPECT_EQ(c.location->date, 20240105u);
  EXPECT_EQ(c.location->type.local_code, "DSUM");
  EXPECT_EQ(c.location->type.local_name, "退院時サマリー");
  EXPECT_EQ(c.location->type.standard_code, "18842-5");
  EXPECT_EQ(c.location->type.standard_system, "LN");
  ASSERT_TRUE(c.location->content_name);
  EXPECT_EQ(c.location->content_name->condition, Condition::kCurrent);
  EXPECT_EQ(c.location->file, "summary.pdf");

  auto bad = check_extended_path("100/000/1000001/20240105/DSUM/x/summary.pdf");
  EXPECT_FALSE(bad.location);
  ASSERT_EQ(bad.problems.size(), 1u);
  EXPECT_NE(bad.problems[0].find("local code^name^system"), std::string::npos);
}

}  // namespace
}  // namespace hareyaka::ssmix2
