#include "proto/hl7v2/escape.hpp"

namespace hareyaka::hl7v2 {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string unescape(std::string_view raw, const Separators& seps) {
  if (raw.find(seps.escape) == std::string_view::npos)
    return std::string(raw);
  std::string out;
  out.reserve(raw.size());
  std::size_t i = 0;
  while (i < raw.size()) {
    char c = raw[i];
    if (c != seps.escape) {
      out.push_back(c);
      ++i;
      continue;
    }
    std::size_t end = raw.find(seps.escape, i + 1);
    if (end == std::string_view::npos) {  // unterminated: keep the rest as text
      out.append(raw.substr(i));
      break;
    }
    std::string_view code = raw.substr(i + 1, end - i - 1);
    if (code == "F") {
      out.push_back(seps.field);
    } else if (code == "S") {
      out.push_back(seps.component);
    } else if (code == "T") {
      out.push_back(seps.subcomponent);
    } else if (code == "R") {
      out.push_back(seps.repetition);
    } else if (code == "E") {
      out.push_back(seps.escape);
    } else if (code == ".br") {
      out.push_back('\n');
    } else if (code.size() >= 3 && code[0] == 'X' && code.size() % 2 == 1) {
      std::string bytes;
      bool ok = true;
      for (std::size_t k = 1; k + 1 < code.size() + 1 && k < code.size(); k += 2) {
        int hi = hex_value(code[k]);
        int lo = hex_value(code[k + 1]);
        if (hi < 0 || lo < 0) {
          ok = false;
          break;
        }
        bytes.push_back(static_cast<char>(hi * 16 + lo));
      }
      // Only printable ASCII bytes are accepted from \X..\, so an escape can never smuggle
      // a control character or a broken UTF-8 sequence into a value.
      for (unsigned char b : bytes) {
        if (b < 0x20 || b >= 0x7f)
          ok = false;
      }
      if (ok) {
        out.append(bytes);
      } else {
        out.append(raw.substr(i, end - i + 1));
      }
    } else {
      out.append(raw.substr(i, end - i + 1));
    }
    i = end + 1;
  }
  return out;
}

std::string escape(std::string_view value, const Separators& seps) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == seps.escape) {
      out += seps.escape;
      out += 'E';
      out += seps.escape;
    } else if (c == seps.field) {
      out += seps.escape;
      out += 'F';
      out += seps.escape;
    } else if (c == seps.component) {
      out += seps.escape;
      out += 'S';
      out += seps.escape;
    } else if (c == seps.subcomponent) {
      out += seps.escape;
      out += 'T';
      out += seps.escape;
    } else if (c == seps.repetition) {
      out += seps.escape;
      out += 'R';
      out += seps.escape;
    } else if (c == '\n') {
      out += seps.escape;
      out += ".br";
      out += seps.escape;
    } else if (c == '\r') {
      continue;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::size_t find_unterminated_escape(std::string_view raw, const Separators& seps) {
  std::size_t i = 0;
  while ((i = raw.find(seps.escape, i)) != std::string_view::npos) {
    std::size_t end = raw.find(seps.escape, i + 1);
    if (end == std::string_view::npos)
      return i;
    i = end + 1;
  }
  return std::string_view::npos;
}

}  // namespace hareyaka::hl7v2
