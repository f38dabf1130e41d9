// Times cross the SQL boundary as microseconds since the Unix epoch (libpqxx 6 has no chrono
// traits). SQL converts with hy_ts(bigint) -> timestamptz and hy_us(timestamptz) -> bigint,
// both exact (defined in hpd/sql/0001_directory.sql).
#pragma once

#include <chrono>
#include <cstdint>

namespace hareyaka::hpd {

using Clock = std::chrono::system_clock;
using TimePoint = Clock::time_point;

inline std::int64_t to_us(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

inline TimePoint from_us(std::int64_t us) {
  return TimePoint(std::chrono::duration_cast<Clock::duration>(std::chrono::microseconds(us)));
}

}  // namespace hareyaka::hpd
