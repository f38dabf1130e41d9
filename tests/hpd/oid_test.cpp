#include "hpd/oid.hpp"

#include <gtest/gtest.h>

#include "common/error.hpp"
#include "hpd/page.hpp"

namespace hareyaka::hpd {
namespace {

TEST(Oid, Validity) {
  EXPECT_TRUE(is_valid_oid("1.2.392.200284"));
  EXPECT_TRUE(is_valid_oid("2.16.840.1.113883"));
  EXPECT_FALSE(is_valid_oid(""));
  EXPECT_FALSE(is_valid_oid("1"));
  EXPECT_FALSE(is_valid_oid("3.1"));
  EXPECT_FALSE(is_valid_oid("1.02"));
  EXPECT_FALSE(is_valid_oid("1..2"));
  EXPECT_FALSE(is_valid_oid("1.2."));
  EXPECT_FALSE(is_valid_oid("1.2.a"));
  EXPECT_FALSE(is_valid_oid("1.2.1234567890123456789"));
}

TEST(FacilityOid, FormatsPrefectureWithoutLeadingZero) {
  auto f = make_facility_oid(kDefaultNetworkRoot, "33", "1001");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->to_string(), "1.2.392.200284.33.1001");
  auto h = make_facility_oid(kDefaultNetworkRoot, "01", "7");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->to_string(), "1.2.392.200284.1.7");
  EXPECT_TRUE(is_valid_oid(h->to_string()));
}

TEST(FacilityOid, RejectsBadPartsWithAReason) {
  std::string err;
  EXPECT_FALSE(make_facility_oid(kDefaultNetworkRoot, "48", "1", &err));
  EXPECT_NE(err.find("01..47"), std::string::npos);
  EXPECT_FALSE(make_facility_oid(kDefaultNetworkRoot, "00", "1", &err));
  EXPECT_FALSE(make_facility_oid(kDefaultNetworkRoot, "3", "1", &err));
  EXPECT_NE(err.find("two digits"), std::string::npos);
  EXPECT_FALSE(make_facility_oid(kDefaultNetworkRoot, "33", "0123", &err));
  EXPECT_NE(err.find("facility code"), std::string::npos);
  EXPECT_FALSE(make_facility_oid("1.2.x", "33", "1", &err));
  EXPECT_NE(err.find("root"), std::string::npos);
}

TEST(FacilityOid, ParsesRoundTripAndConfigurableRoot) {
  auto f = parse_facility_oid("1.2.392.200284.33.1001");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->prefecture, "33");
  EXPECT_EQ(f->facility_code, "1001");
  auto g = parse_facility_oid("1.2.392.200284.5.9");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->prefecture, "05");

  std::string err;
  EXPECT_FALSE(parse_facility_oid("1.2.392.200284.33", kDefaultNetworkRoot, &err));
  EXPECT_NE(err.find("arcs"), std::string::npos);
  EXPECT_FALSE(parse_facility_oid("1.2.392.200284.33.1.1", kDefaultNetworkRoot, &err));
  EXPECT_FALSE(parse_facility_oid("1.2.392.999.33.1", kDefaultNetworkRoot, &err));
  EXPECT_NE(err.find("network root"), std::string::npos);
  EXPECT_FALSE(parse_facility_oid("1.2.392.2002841.33.1", kDefaultNetworkRoot, &err));
  EXPECT_FALSE(parse_facility_oid("1.2.392.200284.50.1", kDefaultNetworkRoot, &err));

  auto other = parse_facility_oid("1.2.392.999.34.12", "1.2.392.999");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->to_string(), "1.2.392.999.34.12");
}

TEST(FacilityOid, PatientDomain) {
  EXPECT_EQ(patient_id_domain("1.2.392.200284.33.1001"), "1.2.392.200284.33.1001.1");
  EXPECT_EQ(facility_of_patient_domain("1.2.392.200284.33.1001.1"), "1.2.392.200284.33.1001");
  EXPECT_FALSE(facility_of_patient_domain("1.2.392.200284.33.1001.2"));
  EXPECT_FALSE(facility_of_patient_domain("1.2.392.200284.33.1"));
}

TEST(Paging, CursorsRoundTripAndRejectGarbage) {
  EXPECT_EQ(decode_int_cursor(encode_int_cursor(12345)), 12345);
  auto [a, b] = decode_pair_cursor(encode_pair_cursor("1.2.3:4", "x:y|z"));
  EXPECT_EQ(a, "1.2.3:4");
  EXPECT_EQ(b, "x:y|z");
  EXPECT_THROW(decode_int_cursor("12a"), Error);
  EXPECT_THROW(decode_int_cursor(""), Error);
  EXPECT_THROW(decode_pair_cursor("99:abc"), Error);
  EXPECT_THROW(decode_pair_cursor("abc"), Error);
  EXPECT_THROW(decode_pair_cursor("1:\xE3\x81\x82"), Error);  // cut inside a character
  EXPECT_EQ(PageRequest{.limit = 100000}.clamped_limit(), kMaxPageSize);
  EXPECT_EQ(PageRequest{.limit = -3}.clamped_limit(), 1);
}

}  // namespace
}  // namespace hareyaka::hpd
