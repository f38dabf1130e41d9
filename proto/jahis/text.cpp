#include "proto/jahis/text.hpp"

#include <iconv.h>

#include <algorithm>
#include <array>

#include "common/error.hpp"
#include "proto/hl7v2/charset.hpp"

namespace hareyaka::jahis {

void fail(std::size_t line, const std::string& reason) {
  std::string message = "line " + std::to_string(line) + ": " + reason;
  throw Error(ErrorCode::kUnprocessable, message, "JAHIS お薬手帳: " + message);
}

namespace {

std::size_t line_at(std::string_view bytes, std::size_t offset) {
  offset = std::min(offset, bytes.size());
  return 1 + static_cast<std::size_t>(std::count(bytes.begin(), bytes.begin() + offset, '\n'));
}

std::string cp932_to_utf8(std::string_view in) {
  iconv_t cd = ::iconv_open("UTF-8", "CP932");
  if (cd == reinterpret_cast<iconv_t>(-1))
    fail(1, "the file is not UTF-8, and Shift_JIS (CP932) is not available on this server");
  std::string out(in.size() * 3 + 4, '\0');  // a CP932 character is at most 3 bytes in UTF-8
  char* src = const_cast<char*>(in.data());
  std::size_t src_left = in.size();
  char* dst = out.data();
  std::size_t dst_left = out.size();
  const std::size_t rc = ::iconv(cd, &src, &src_left, &dst, &dst_left);
  ::iconv_close(cd);
  if (rc == static_cast<std::size_t>(-1) || src_left != 0)
    fail(line_at(in, in.size() - src_left), "the file is neither UTF-8 nor Shift_JIS (CP932)");
  out.resize(out.size() - dst_left);
  return out;
}

bool digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int number(std::string_view s) {
  int n = 0;
  for (char c : s)
    n = n * 10 + (c - '0');
  return n;
}

bool leap(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in(int y, int m) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[static_cast<std::size_t>(m - 1)];
}

constexpr std::size_t kMaxFields = 64;  // the longest record has 10

struct Era {
  char letter;
  int first_year;  // the Gregorian year of its year 1 (元年)
  int last;        // its highest year number
};
// 別表１ 年号区分コード. 令和 has no end yet: two digits are all the format can hold.
constexpr std::array<Era, 5> kEras = {
    {{'M', 1868, 45}, {'T', 1912, 15}, {'S', 1926, 64}, {'H', 1989, 31}, {'R', 2019, 99}}};

}  // namespace

std::string decode_text(std::string_view bytes, std::string* encoding) {
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF")
    bytes.remove_prefix(3);
  if (hl7v2::is_valid_utf8(bytes)) {
    if (encoding)
      *encoding = "UTF-8";
    return std::string(bytes);
  }
  if (encoding)
    *encoding = "CP932";
  return cp932_to_utf8(bytes);
}

std::vector<Line> split_lines(std::string_view text) {
  std::vector<Line> lines;
  std::size_t number = 1;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r')
      line.remove_suffix(1);
    lines.push_back({number++, std::string(line)});
    if (end == std::string_view::npos)
      break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

std::vector<std::string> split_fields(const Line& line) {
  std::vector<std::string> fields;
  const std::string& s = line.text;
  std::size_t i = 0;
  while (true) {
    std::string field;
    if (i < s.size() && s[i] == '"') {
      ++i;
      bool closed = false;
      while (i < s.size()) {
        if (s[i] == '"') {
          if (i + 1 < s.size() && s[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          closed = true;
          ++i;
          break;
        }
        field += s[i++];
      }
      if (!closed)
        fail(line.number, "the quote of field " + std::to_string(fields.size() + 1) +
                              " is not closed on its line");
      if (i < s.size() && s[i] != ',')
        fail(line.number, "text after the closing quote of field " +
                              std::to_string(fields.size() + 1) +
                              " (a quoted field must end "
                              "at a comma)");
    } else {
      const std::size_t comma = s.find(',', i);
      field = s.substr(i, comma == std::string::npos ? std::string::npos : comma - i);
      i = comma == std::string::npos ? s.size() : comma;
    }
    fields.push_back(std::move(field));
    if (fields.size() > kMaxFields)
      fail(line.number, "more than " + std::to_string(kMaxFields) + " fields");
    if (i >= s.size())
      break;
    ++i;  // the comma
    if (i == s.size()) {
      fields.emplace_back();  // a trailing comma ends with an empty field
      if (fields.size() > kMaxFields)
        fail(line.number, "more than " + std::to_string(kMaxFields) + " fields");
      break;
    }
  }
  return fields;
}

std::string iso_date(std::string_view value, std::string_view what, std::size_t line) {
  if (value.empty())
    return {};
  int y = 0;
  std::string_view md;
  const std::string why = std::string(what) + " is not a date (YYYYMMDD, or GYYMMDD with era ";
  if (value.size() == 8 && digits(value)) {
    y = number(value.substr(0, 4));
    md = value.substr(4);
  } else if (value.size() == 7 && digits(value.substr(1))) {
    const auto era = std::find_if(kEras.begin(), kEras.end(),
                                  [&](const Era& e) { return e.letter == value[0]; });
    if (era == kEras.end())
      fail(line, why + "M, T, S, H or R)");
    const int n = number(value.substr(1, 2));
    if (n < 1 || n > era->last)
      fail(line, std::string(what) + " has an era year out of range");
    y = era->first_year + n - 1;
    md = value.substr(3);
  } else {
    fail(line, why + "M, T, S, H or R)");
  }
  const int m = number(md.substr(0, 2));
  const int d = number(md.substr(2, 2));
  if (y < 1800 || m < 1 || m > 12 || d < 1 || d > days_in(y, m))
    fail(line, std::string(what) + " is not a calendar date");
  std::string iso =
      std::to_string(y) + "-" + std::string(md.substr(0, 2)) + "-" + std::string(md.substr(2, 2));
  return iso;
}

}  // namespace hareyaka::jahis
