// The one conversion between the wire's YYYYMMDD and the APIs' ISO 8601 dates.
#include "proto/encoding/dates.hpp"

#include <gtest/gtest.h>

namespace hareyaka::encoding {
namespace {

TEST(IsoDate, FormatsAnHl7Date) {
  EXPECT_EQ(iso_date("19800101"), "1980-01-01");
  EXPECT_EQ(iso_date(std::string_view("20261204093000+0900")), "2026-12-04");  // an HL7 TS
  EXPECT_EQ(iso_date(20110831u), "2011-08-31");
  EXPECT_EQ(iso_date(9990101u), "0999-01-01");
}

TEST(IsoDate, LeavesWhatIsNotAFullDateAsItWas) {
  EXPECT_EQ(iso_date(""), "");
  EXPECT_EQ(iso_date("1980"), "1980");  // a partial birth date is never completed
  EXPECT_EQ(iso_date("198001"), "198001");
  EXPECT_EQ(iso_date("1980-01-01"), "1980-01-01");
  EXPECT_EQ(iso_date("unknown"), "unknown");
  EXPECT_EQ(iso_date("1980010X"), "1980010X");
}

TEST(CompactDate, ReadsAnIsoDateOrDateTime) {
  EXPECT_EQ(compact_date("2011-08-31"), 20110831u);
  EXPECT_EQ(compact_date("2011-08-31T10:20:00+09:00"), 20110831u);
  EXPECT_EQ(compact_date("2024-02-29"), 20240229u);
}

TEST(CompactDate, RefusesWhatIsNotACalendarDate) {
  for (const char* bad : {"", "2011-08", "20110831", "2011/08/31", "2011-13-01", "2011-02-30",
                          "2023-02-29", "2011-00-10", "2011-08-00", "2011-08-3x", "x011-08-31"})
    EXPECT_EQ(compact_date(bad), 0u) << bad;
}

TEST(IsoUtc, WritesSecondsInUtc) {
  using namespace std::chrono;
  const sys_time<milliseconds> t =
      sys_days(year(2026) / 12 / 4) + hours(9) + minutes(5) + seconds(7) + milliseconds(999);
  EXPECT_EQ(iso_utc(time_point_cast<system_clock::duration>(t)), "2026-12-04T09:05:07Z");
}

}  // namespace
}  // namespace hareyaka::encoding
