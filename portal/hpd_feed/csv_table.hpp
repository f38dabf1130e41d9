// The secretariat's spreadsheets as CSV (RFC 4180: quoted fields, "" inside quotes, CRLF or
// LF, line breaks inside quotes): decoded from UTF-8 (with or without BOM) or, when the bytes
// are not UTF-8, from Shift_JIS (CP932, what Excel writes on Japanese Windows), and read as a
// header row of named columns plus data rows numbered as the spreadsheet shows them (the
// header is row 1).
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hareyaka::hpd_feed {

struct CsvRow {
  int number = 0;  // spreadsheet row number (header = 1)
  std::vector<std::string> cells;
};

struct CsvTable {
  std::string encoding;  // "UTF-8" or "CP932"
  std::vector<std::string> header;
  std::vector<CsvRow> rows;  // blank lines left out

  // The column index of a header name (case-insensitive, surrounding spaces ignored).
  std::optional<std::size_t> column(std::string_view name) const;
};

constexpr std::size_t kMaxCsvRows = 20'000;

// Throws hareyaka::Error(kUnprocessable) naming the problem: an encoding that is neither,
// an unterminated quote (with its row), no header, an empty or repeated column name, more
// than kMaxCsvRows rows.
CsvTable parse_csv(std::string_view bytes);

// UTF-8 check (no overlongs, no surrogates).
bool is_utf8(std::string_view s);

}  // namespace hareyaka::hpd_feed
