// Dates as the JSON APIs show them. HL7 v2, HL7 V3, DICOM and the SS-MIX2 folders carry a
// date as YYYYMMDD; the APIs (and the web UI, which renders them in Japanese style) use ISO
// 8601 YYYY-MM-DD; times leave as UTC YYYY-MM-DDTHH:MM:SSZ. One conversion for every
// component, so a birth date reads the same in the viewer, the identity console and the audit
// report.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace hareyaka::encoding {

// "19800101" (or a longer HL7 TS starting with a date) -> "1980-01-01". Anything that does
// not start with eight digits (empty, a partial date such as "1980", text) is returned as it
// was, never guessed at.
std::string iso_date(std::string_view yyyymmdd);
// 19800101 -> "1980-01-01" (a date kept as an integer, e.g. the gateway's index).
std::string iso_date(std::uint32_t yyyymmdd);
// "2011-08-31" (or an ISO date-time starting with it) -> 20110831; 0 when it does not start
// with a calendar date.
std::uint32_t compact_date(std::string_view iso);

// A point in time as UTC "YYYY-MM-DDTHH:MM:SSZ" (seconds; sub-second parts are dropped).
std::string iso_utc(std::chrono::system_clock::time_point t);

}  // namespace hareyaka::encoding
