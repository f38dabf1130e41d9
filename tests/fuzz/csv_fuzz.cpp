// Fuzz target for the secretariat's CSV directory import (RFC 4180, UTF-8 with or without
// BOM, or Shift_JIS): any bytes must give a table or Error(kUnprocessable) naming the
// problem, never a crash or a hang; a table's rows are numbered as the spreadsheet shows
// them and never wider than what was read.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/error.hpp"
#include "portal/hpd_feed/csv_table.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hareyaka;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)hpd_feed::is_utf8(bytes);
  try {
    const auto table = hpd_feed::parse_csv(bytes);
    if (table.header.empty() || table.rows.size() > hpd_feed::kMaxCsvRows)
      std::abort();  // documented: no header or too many rows is an error, not a table
    int last = 1;
    for (const auto& row : table.rows) {
      if (row.number <= last)
        std::abort();  // row numbers grow (the header is row 1)
      last = row.number;
    }
    for (const auto& name : table.header)
      if (!table.column(name))
        std::abort();  // every header name is found again
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kUnprocessable)
      std::abort();
  }
  return 0;
}
