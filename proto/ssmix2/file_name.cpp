#include "proto/ssmix2/file_name.hpp"

#include <array>
#include <cstdio>

namespace hareyaka::ssmix2 {
namespace {

bool all_digits(std::string_view s) {
  if (s.empty())
    return false;
  for (char c : s) {
    if (c < '0' || c > '9')
      return false;
  }
  return true;
}

bool alnum_or_dash(std::string_view s) {
  if (s.empty())
    return false;
  for (char c : s) {
    bool ok =
        (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-';
    if (!ok)
      return false;
  }
  return true;
}

}  // namespace

bool valid_patient_id(std::string_view id) {
  if (id.empty() || id.size() > 64)
    return false;
  for (char c : id) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    if (!ok)
      return false;
  }
  return true;
}

bool valid_calendar_date(std::uint32_t d) {
  unsigned y = d / 10000, m = d / 100 % 100, day = d % 100;
  if (y < 1800 || y > 2999 || m < 1 || m > 12 || day < 1)
    return false;
  static constexpr std::array<unsigned, 12> kDays{31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (day > kDays[m - 1])
    return false;
  if (m == 2 && day == 29)
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return true;
}

std::optional<std::uint32_t> parse_date_folder(std::string_view text) {
  if (text == "-")
    return 0u;
  if (text.size() != 8 || !all_digits(text))
    return std::nullopt;
  std::uint32_t v = 0;
  for (char c : text)
    v = v * 10 + static_cast<std::uint32_t>(c - '0');
  if (!valid_calendar_date(v))
    return std::nullopt;
  return v;
}

std::string format_date_folder(std::uint32_t date) {
  if (date == 0)
    return "-";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08u", date);
  return buf;
}

std::optional<FileName> parse_file_name(std::string_view name, FileNameError* error) {
  auto fail = [&](std::string msg) -> std::optional<FileName> {
    if (error)
      error->message = std::move(msg);
    return std::nullopt;
  };
  std::array<std::string_view, 7> parts;
  std::size_t start = 0;
  for (int i = 0; i < 7; ++i) {
    std::size_t pos = name.find('_', start);
    if (i == 6) {
      if (pos != std::string_view::npos) {
        return fail("file name has more than 7 parts separated by '_'");
      }
      parts[i] = name.substr(start);
    } else {
      if (pos == std::string_view::npos)
        return fail("file name has fewer than 7 parts separated by '_'");
      parts[i] = name.substr(start, pos - start);
      start = pos + 1;
    }
  }
  FileName f;
  if (!valid_patient_id(parts[0]))
    return fail("patient id part is not letters and digits");
  f.patient_id = std::string(parts[0]);
  auto date = parse_date_folder(parts[1]);
  if (!date)
    return fail("date part is neither '-' nor a valid yyyymmdd date");
  f.date = *date;
  if (!alnum_or_dash(parts[2]))
    return fail("data type part is empty or has invalid characters");
  f.data_type_code = std::string(parts[2]);
  f.type = parse_data_type(parts[2]);
  if (!alnum_or_dash(parts[3]) || parts[3].size() > 64)
    return fail("order number part is empty or invalid");
  f.order_no = std::string(parts[3]);
  if (parts[4].size() != 17 || !all_digits(parts[4])) {
    return fail("timestamp part is not 17 digits (yyyyMMddHHmmssfff)");
  }
  for (char c : parts[4])
    f.timestamp = f.timestamp * 10 + static_cast<std::uint64_t>(c - '0');
  if (!valid_calendar_date(static_cast<std::uint32_t>(f.timestamp / 1000000000ull))) {
    return fail("timestamp part does not start with a valid date");
  }
  if (!alnum_or_dash(parts[5]) || parts[5].size() > 16)
    return fail("department part is empty or invalid");
  f.department = std::string(parts[5]);
  if (parts[6] == "1") {
    f.condition = Condition::kCurrent;
  } else if (parts[6] == "2") {
    f.condition = Condition::kSuperseded;
  } else if (parts[6] == "0") {
    f.condition = Condition::kDeleted;
  } else {
    return fail("condition flag is not 0, 1 or 2");
  }
  return f;
}

std::string FileName::to_string() const {
  char ts[24];
  std::snprintf(ts, sizeof ts, "%017llu", static_cast<unsigned long long>(timestamp));
  return patient_id + "_" + format_date_folder(date) + "_" + data_type_code + "_" + order_no + "_" +
         ts + "_" + department + "_" + std::to_string(static_cast<int>(condition));
}

}  // namespace hareyaka::ssmix2
