#include "proto/hl7v2/parser.hpp"

#include "proto/hl7v2/charset.hpp"
#include "proto/hl7v2/message_data.hpp"

namespace hareyaka::hl7v2 {

std::string ParseError::to_string() const {
  std::string out;
  if (segment_index > 0) {
    out = "segment " + std::to_string(segment_index);
    if (!segment.empty())
      out += " (" + segment + ")";
    if (field > 0)
      out += ", field " + std::to_string(field);
    out += ": ";
  }
  return out + message;
}

class Parser {
 public:
  static ParseResult run(std::string_view bytes, const ParseOptions& options);
};

namespace {

bool is_upper_or_digit(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool valid_segment_name(std::string_view name) {
  return name.size() == 3 && name[0] >= 'A' && name[0] <= 'Z' && is_upper_or_digit(name[1]) &&
         is_upper_or_digit(name[2]);
}

bool valid_separator(char c) {
  return c > 0x20 && c < 0x7f &&
         !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'));
}

// Strips MLLP framing and trailing segment ends: 0x0B at the start, 0x1C (and an optional
// CR after it) at the end.
std::string_view strip_framing(std::string_view s) {
  if (!s.empty() && s.front() == '\x0b')
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == '\r' || s.back() == '\n' || s.back() == '\x1c')) {
    s.remove_suffix(1);
  }
  return s;
}

// 1-based segment number of a byte offset in the undecoded input.
std::size_t segment_of_offset(std::string_view s, std::size_t offset) {
  std::size_t seg = 1;
  bool in_break = false;
  for (std::size_t i = 0; i < offset && i < s.size(); ++i) {
    bool brk = s[i] == '\r' || s[i] == '\n';
    if (brk && !in_break)
      ++seg;
    in_break = brk;
  }
  return seg;
}

bool declares_utf8(std::string_view s) {
  std::size_t end = s.find_first_of("\r\n");
  std::string_view msh = s.substr(0, end);
  return msh.find("UNICODE UTF-8") != std::string_view::npos;
}

}  // namespace

ParseResult Parser::run(std::string_view bytes, const ParseOptions& options) {
  ParseResult result;
  Message::Data& data = *result.message.data_;
  auto fail = [&](std::size_t index, std::string_view seg, int field, std::string msg) {
    result.error = ParseError{index, std::string(seg), field, std::move(msg)};
    return std::move(result);
  };

  if (bytes.size() > options.max_bytes) {
    return fail(0, "", 0, "message larger than " + std::to_string(options.max_bytes) + " bytes");
  }
  std::string_view framed = strip_framing(bytes);
  if (framed.empty())
    return fail(0, "", 0, "empty file: no MSH segment");

  CharsetError charset_error;
  std::optional<std::string> text = iso2022jp_to_utf8(framed, &charset_error);
  if (!text) {
    if (is_valid_utf8(framed) && declares_utf8(framed)) {
      text = std::string(framed);
    } else {
      std::size_t seg = segment_of_offset(framed, charset_error.offset);
      return fail(seg, "", 0,
                  "not ISO-2022-JP text at byte " + std::to_string(charset_error.offset) + " (" +
                      charset_error.message + ")");
    }
  }
  data.text = std::move(*text);
  std::string_view all = data.text;

  // Separators come from the MSH segment itself.
  if (all.substr(0, 3) != "MSH") {
    return fail(1, "", 0, "the message does not start with an MSH segment");
  }
  if (all.size() < 8) {
    return fail(1, "MSH", 2,
                "MSH-1/MSH-2 must declare the field separator and 4 encoding characters");
  }
  Separators& seps = data.separators;
  seps.field = all[3];
  std::size_t enc_end = all.find(seps.field, 4);
  std::string_view line_end_probe = all.substr(0, all.find_first_of("\r\n"));
  if (enc_end == std::string_view::npos || enc_end > line_end_probe.size()) {
    enc_end = line_end_probe.size();
  }
  std::string_view enc = all.substr(4, enc_end - 4);
  if (!valid_separator(seps.field) || enc.size() < 4) {
    return fail(1, "MSH", 2,
                "MSH-1/MSH-2 must declare the field separator and 4 encoding characters");
  }
  seps.component = enc[0];
  seps.repetition = enc[1];
  seps.escape = enc[2];
  seps.subcomponent = enc[3];
  const char declared[5] = {seps.field, seps.component, seps.repetition, seps.escape,
                            seps.subcomponent};
  for (int i = 0; i < 5; ++i) {
    if (!valid_separator(declared[i])) {
      return fail(1, "MSH", 2, "invalid separator character in MSH-1/MSH-2");
    }
    for (int j = i + 1; j < 5; ++j) {
      if (declared[i] == declared[j]) {
        return fail(1, "MSH", 2, "MSH-1/MSH-2 declare the same separator twice");
      }
    }
  }

  std::size_t pos = 0;
  std::size_t index = 0;
  while (pos < all.size()) {
    std::size_t end = all.find_first_of("\r\n", pos);
    if (end == std::string_view::npos)
      end = all.size();
    std::string_view line = all.substr(pos, end - pos);
    pos = end + 1;
    if (line.empty())
      continue;  // CRLF, blank lines
    ++index;
    if (index > options.max_segments) {
      return fail(index, "", 0, "more than " + std::to_string(options.max_segments) + " segments");
    }
    std::string_view name = line.substr(0, 3);
    if (!valid_segment_name(name) || (line.size() > 3 && line[3] != seps.field)) {
      return fail(index, "", 0,
                  "invalid segment name (expected three upper-case letters or digits)");
    }
    for (std::size_t i = 0; i < line.size(); ++i) {
      unsigned char c = static_cast<unsigned char>(line[i]);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        int field = 0;
        for (std::size_t k = 0; k < i; ++k)
          field += line[k] == seps.field;
        return fail(index, name, field, "control character in segment");
      }
    }
    bool is_msh = name == "MSH";
    if (is_msh && index != 1) {
      return fail(index, name, 0,
                  "MSH is allowed only as the first segment (one message per file)");
    }
    std::vector<std::string_view> fields;
    if (is_msh) {
      fields.push_back(line.substr(3, 1));
      std::size_t f_end = line.find(seps.field, 4);
      fields.push_back(line.substr(4, (f_end == std::string_view::npos ? line.size() : f_end) - 4));
      std::size_t p = f_end;
      while (p != std::string_view::npos) {
        std::size_t next = line.find(seps.field, p + 1);
        fields.push_back(
            line.substr(p + 1, (next == std::string_view::npos ? line.size() : next) - p - 1));
        p = next;
      }
    } else if (line.size() > 3) {
      std::size_t p = 3;
      while (p != std::string_view::npos) {
        std::size_t next = line.find(seps.field, p + 1);
        fields.push_back(
            line.substr(p + 1, (next == std::string_view::npos ? line.size() : next) - p - 1));
        p = next;
      }
    }
    for (std::size_t f = is_msh ? 2 : 0; f < fields.size(); ++f) {
      if (find_unterminated_escape(fields[f], seps) != std::string_view::npos) {
        return fail(index, name, static_cast<int>(f + 1), "unterminated escape sequence");
      }
    }
    data.segments.emplace_back(name, std::move(fields), &data.separators);
  }
  if (data.segments.empty())
    return fail(0, "", 0, "no segments");
  return result;
}

ParseResult parse(std::string_view bytes, const ParseOptions& options) {
  return Parser::run(bytes, options);
}

}  // namespace hareyaka::hl7v2
