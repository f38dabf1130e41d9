#include "portal/hpd_feed/csv_table.hpp"

#include <iconv.h>

#include <algorithm>
#include <cctype>

#include "common/error.hpp"

namespace hareyaka::hpd_feed {
namespace {

[[noreturn]] void bad(const std::string& what) {
  throw Error(ErrorCode::kUnprocessable, what);
}

std::string from_cp932(std::string_view in) {
  iconv_t cd = ::iconv_open("UTF-8", "CP932");
  if (cd == reinterpret_cast<iconv_t>(-1))
    bad("the file is not UTF-8, and Shift_JIS is not available on this server");
  std::string out(in.size() * 3 + 16, '\0');
  char* src = const_cast<char*>(in.data());
  std::size_t src_left = in.size();
  char* dst = out.data();
  std::size_t dst_left = out.size();
  const std::size_t rc = ::iconv(cd, &src, &src_left, &dst, &dst_left);
  ::iconv_close(cd);
  if (rc == static_cast<std::size_t>(-1) || src_left != 0)
    bad("the file is neither UTF-8 nor Shift_JIS (CP932): save it as CSV UTF-8");
  out.resize(out.size() - dst_left);
  return out;
}

std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos)
    return {};
  auto e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

bool is_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    int n = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    for (int k = 1; k <= n; ++k) {
      if (i + static_cast<std::size_t>(k) >= s.size())
        return false;
      const auto cc = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
      if ((cc & 0xC0) != 0x80)
        return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += static_cast<std::size_t>(n) + 1;
  }
  return true;
}

std::optional<std::size_t> CsvTable::column(std::string_view name) const {
  const std::string want = lower(trim(name));
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == want)
      return i;
  }
  return std::nullopt;
}

CsvTable parse_csv(std::string_view bytes) {
  CsvTable t;
  std::string text;
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") {
    bytes.remove_prefix(3);
    text = std::string(bytes);
    t.encoding = "UTF-8";
    if (!is_utf8(text))
      bad("the file starts with a UTF-8 mark but is not UTF-8");
  } else if (is_utf8(bytes)) {
    text = std::string(bytes);
    t.encoding = "UTF-8";
  } else {
    text = from_cp932(bytes);
    t.encoding = "CP932";
  }

  std::vector<CsvRow> records;
  CsvRow cur;
  std::string cell;
  int line = 1;
  cur.number = 1;
  bool quoted = false, any = false;
  int quote_line = 0;
  auto end_cell = [&] {
    cur.cells.push_back(std::move(cell));
    cell.clear();
  };
  auto end_record = [&] {
    end_cell();
    const bool blank = cur.cells.size() == 1 && cur.cells[0].empty() && !any;
    if (!blank)
      records.push_back(std::move(cur));
    cur = CsvRow{};
    any = false;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          cell += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n')
          ++line;
        cell += c;
      }
      continue;
    }
    if (c == '"' && cell.empty()) {
      quoted = true, any = true, quote_line = cur.number;
    } else if (c == ',') {
      end_cell();
      any = true;
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      continue;
    } else if (c == '\n' || c == '\r') {
      end_record();
      if (records.size() > kMaxCsvRows + 1)
        bad("more than " + std::to_string(kMaxCsvRows) + " rows: split the file");
      cur.number = ++line;
    } else {
      cell += c;
    }
  }
  if (quoted)
    bad("row " + std::to_string(quote_line) + ": a quoted field is not closed");
  if (!cell.empty() || !cur.cells.empty() || any)
    end_record();
  if (records.empty())
    bad("the file is empty: it needs a header row with the column names");
  if (records.size() > kMaxCsvRows + 1)
    bad("more than " + std::to_string(kMaxCsvRows) + " rows: split the file");
  for (const auto& h : records.front().cells) {
    std::string name = lower(trim(h));
    if (name.empty())
      bad("row 1: a column has no name");
    if (std::find(t.header.begin(), t.header.end(), name) != t.header.end())
      bad("row 1: column '" + name + "' appears twice");
    t.header.push_back(std::move(name));
  }
  for (std::size_t i = 1; i < records.size(); ++i) {
    for (auto& c : records[i].cells)
      c = trim(c);
    t.rows.push_back(std::move(records[i]));
  }
  return t;
}

}  // namespace hareyaka::hpd_feed
