// The text layer of the JAHIS 電子版お薬手帳 format (see notebook.hpp): bytes to UTF-8 lines,
// one line to its comma-separated fields, and the format's dates. Each failure throws
// hareyaka::Error(kUnprocessable) whose external message starts with "line N: " and never
// repeats a value from the file (it may be patient data).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace hareyaka::jahis {

struct Line {
  std::size_t number = 0;  // 1-based, as an editor shows it
  std::string text;        // without its CR/LF
};

// UTF-8 (a leading BOM dropped) when the bytes are valid UTF-8, else Shift_JIS read as CP932
// (what QR readers and Windows tools write) converted with iconv. `encoding` receives
// "UTF-8" or "CP932".
std::string decode_text(std::string_view bytes, std::string* encoding = nullptr);

// Splits on LF, dropping a CR before it (CRLF or LF line ends; a missing final end is fine).
std::vector<Line> split_lines(std::string_view text);

// One CSV record: fields separated by ',', a field may be quoted ("a,b", "" for a quote
// inside). A quote left open at the end of the line, or text after a closing quote, throws.
std::vector<std::string> split_fields(const Line& line);

// A JAHIS date: Gregorian YYYYMMDD or era GYYMMDD (G = M 明治, T 大正, S 昭和, H 平成,
// R 令和) to ISO "YYYY-MM-DD"; empty stays empty. Anything else (a wrong length, not a
// calendar day, an era year out of range) throws naming `what` and the line.
std::string iso_date(std::string_view value, std::string_view what, std::size_t line);

// Throws hareyaka::Error(kUnprocessable, "line N: <reason>").
[[noreturn]] void fail(std::size_t line, const std::string& reason);

}  // namespace hareyaka::jahis
