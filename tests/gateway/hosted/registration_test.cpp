// A patient registered by a hosted tenant (issue #17): the ADT-00 written from a pharmacy's
// お薬手帳 record 1 is a strictly valid SS-MIX2 file, whatever Shift_JIS brought (half-width
// katakana, CP932's own symbols), and refuses what cannot make one.
#include "gateway/hosted/registration.hpp"

#include <gtest/gtest.h>

#include "common/error.hpp"
#include "gateway/storage/scanner.hpp"
#include "proto/hl7v2/charset.hpp"

namespace hareyaka::gateway::hosted {
namespace {

TEST(Registration, WritesAStrictlyValidAdt00FromShiftJisText) {
  Registration r{.patient_id = "P1000001", .sex = 'F', .birth_date = "1962-04-15"};
  split_name("晴山　花子", r.family, r.given);
  EXPECT_EQ(r.family, "晴山");
  EXPECT_EQ(r.given, "花子");
  split_name("ﾊﾚﾔﾏ ﾊﾅｺﾞﾎﾟ", r.family_kana, r.given_kana);
  r.address = "香川県高松市サンポート１－１";  // U+FF0D, as CP932 decodes 0x817C
  r.postal_code = "760-0019";
  r.phone = "087-000-0001";
  const auto f = demographics_file(r, "1.2.392.200284.33.3000001", 20261201103000123);
  EXPECT_EQ(f.path.substr(0, 26), "P10/000/P1000001/-/ADT-00/");
  EXPECT_TRUE(storage::judge_standard(f.path, f.bytes, true).usable);
  const auto text = hl7v2::iso2022jp_to_utf8(f.bytes);
  ASSERT_TRUE(text.has_value());
  EXPECT_NE(text->find("ハレヤマ^ハナゴポ"), std::string::npos) << *text;
  EXPECT_NE(text->find("晴山^花子"), std::string::npos);
  EXPECT_NE(text->find("|19620415|F|"), std::string::npos);
}

TEST(Registration, RefusesWhatCannotMakeAFile) {
  Registration r{.patient_id = "P-1", .family = "晴山"};
  EXPECT_THROW(demographics_file(r, "1.2.3", 20261201103000123), Error);
  r.patient_id = "P1";
  r.family = "";
  EXPECT_THROW(demographics_file(r, "1.2.3", 20261201103000123), Error);
  r.family = "晴山";
  r.birth_date = "1962-02-30";
  EXPECT_THROW(demographics_file(r, "1.2.3", 20261201103000123), Error);
}

}  // namespace
}  // namespace hareyaka::gateway::hosted
