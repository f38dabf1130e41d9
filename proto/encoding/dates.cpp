#include "proto/encoding/dates.hpp"

#include <cstdio>
#include <ctime>

namespace hareyaka::encoding {
namespace {

bool digits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9')
      return false;
  }
  return true;
}

bool calendar_date(unsigned y, unsigned m, unsigned d) {
  return std::chrono::year_month_day(std::chrono::year(static_cast<int>(y)), std::chrono::month(m),
                                     std::chrono::day(d))
      .ok();
}

}  // namespace

std::string iso_date(std::string_view s) {
  if (s.size() < 8 || !digits(s.substr(0, 8)))
    return std::string(s);
  std::string out;
  out.reserve(10);
  out.append(s.substr(0, 4)).append("-").append(s.substr(4, 2)).append("-").append(s.substr(6, 2));
  return out;
}

std::string iso_date(std::uint32_t d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04u-%02u-%02u", d / 10000 % 10000, d / 100 % 100, d % 100);
  return buf;
}

std::uint32_t compact_date(std::string_view s) {
  if (s.size() < 10 || s[4] != '-' || s[7] != '-' || !digits(s.substr(0, 4)) ||
      !digits(s.substr(5, 2)) || !digits(s.substr(8, 2)))
    return 0;
  auto num = [&](std::size_t at, std::size_t n) {
    unsigned v = 0;
    for (std::size_t i = at; i < at + n; ++i)
      v = v * 10 + static_cast<unsigned>(s[i] - '0');
    return v;
  };
  const unsigned y = num(0, 4), m = num(5, 2), d = num(8, 2);
  if (!calendar_date(y, m, d))
    return 0;
  return y * 10000 + m * 100 + d;
}

std::string iso_utc(std::chrono::system_clock::time_point t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace hareyaka::encoding
