// HL7 v2 message parser for the SS-MIX2 profile. Strict about structure (MSH first and only
// once, three-character segment names, declared separators, terminated escapes, no control
// characters), tolerant about framing (CR, LF or CRLF segment ends, an MLLP 0x0B start and
// 0x1C end byte, a missing final CR). Bytes are ISO-2022-JP and come out as UTF-8.
// Never throws on bad input: the result carries an error saying where.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "proto/hl7v2/message.hpp"

namespace hareyaka::hl7v2 {

struct ParseError {
  std::size_t segment_index = 0;  // 1-based; 0 when the problem is before the first segment
  std::string segment;            // segment name when known ("MSH", "PID", ...)
  int field = 0;                  // HL7 field number, 0 when not about one field
  std::string message;            // what is wrong, free of message content

  // "segment 3 (PID), field 5: unterminated escape sequence"
  std::string to_string() const;
};

struct ParseResult {
  // On error: the segments parsed before the error (so callers can still diagnose a
  // broken file by its MSH and PID), otherwise the whole message.
  Message message;
  std::optional<ParseError> error;
  bool ok() const { return !error.has_value(); }
};

struct ParseOptions {
  std::size_t max_bytes = 64u << 20;
  std::size_t max_segments = 200000;
};

ParseResult parse(std::string_view bytes, const ParseOptions& options = {});

}  // namespace hareyaka::hl7v2
