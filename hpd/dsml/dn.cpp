#include "hpd/dsml/dn.hpp"

#include <cctype>

namespace hareyaka::hpd::dsml {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Trims unescaped white space: an escaped trailing space ("cn=a\<space>") is part of the
// value (RFC 4514 2.4).
std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) {
    std::size_t backslashes = 0;
    for (std::size_t i = s.size() - 1; i > 0 && s[i - 1] == '\\'; --i)
      ++backslashes;
    if (backslashes % 2 == 1)
      break;  // escaped: part of the value
    s.remove_suffix(1);
  }
  return s;
}

bool valid_type(std::string_view t) {
  if (t.empty())
    return false;
  if (std::isdigit(static_cast<unsigned char>(t[0]))) {  // numeric OID form
    for (char c : t) {
      if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.')
        return false;
    }
    return true;
  }
  for (char c : t) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-')
      return false;
  }
  return std::isalpha(static_cast<unsigned char>(t[0])) != 0;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

bool fail(std::string* error, std::string what) {
  if (error)
    *error = std::move(what);
  return false;
}

// Splits at unescaped `sep`; false on a dangling escape.
bool split_unescaped(std::string_view s, char sep, std::vector<std::string_view>& out) {
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
      if (i >= s.size())
        return false;
    } else if (s[i] == sep) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  out.push_back(s.substr(start));
  return true;
}

}  // namespace

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string normalize_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  bool pending_space = false;
  for (char c : trim(v)) {
    if (is_space(c)) {
      pending_space = true;
      continue;
    }
    if (pending_space)
      out.push_back(' ');
    pending_space = false;
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return out;
}

std::string escape_value(std::string_view v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const char c = v[i];
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || (c == ' ' && (i == 0 || i + 1 == v.size()))) {
      // Control characters and an edge space in hex: none of them is lost to trimming.
      static constexpr char kHex[] = "0123456789abcdef";
      out.push_back('\\');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    } else if (c == ',' || c == '+' || c == '"' || c == '\\' || c == '<' || c == '>' || c == ';' ||
               c == '=' || (i == 0 && c == '#')) {
      out.push_back('\\');
      out.push_back(c);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::optional<Rdn> parse_rdn(std::string_view text, std::string* error) {
  text = trim(text);
  if (text.empty()) {
    fail(error, "empty RDN");
    return std::nullopt;
  }
  std::vector<std::string_view> parts;
  if (!split_unescaped(text, '+', parts) || parts.size() != 1) {
    fail(error, parts.size() > 1 ? "multi-valued RDN \"" + std::string(text) + "\" not supported"
                                 : "dangling escape in \"" + std::string(text) + "\"");
    return std::nullopt;
  }
  const auto eq = text.find('=');
  if (eq == std::string_view::npos) {
    fail(error, "RDN \"" + std::string(text) + "\" has no '='");
    return std::nullopt;
  }
  Rdn rdn;
  rdn.type = std::string(trim(text.substr(0, eq)));
  if (!valid_type(rdn.type)) {
    fail(error, "bad attribute type \"" + rdn.type + "\" in RDN");
    return std::nullopt;
  }
  const std::string_view raw = trim(text.substr(eq + 1));
  if (raw.empty()) {
    fail(error, "RDN \"" + std::string(text) + "\" has an empty value");
    return std::nullopt;
  }
  if (raw[0] == '#') {
    fail(error, "hex-encoded RDN values are not supported");
    return std::nullopt;
  }
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c != '\\') {
      if (c == '"' || c == '<' || c == '>' || c == ';' || c == '=') {
        fail(error, std::string("unescaped '") + c + "' in RDN value");
        return std::nullopt;
      }
      rdn.value.push_back(c);
      continue;
    }
    if (i + 1 >= raw.size()) {
      fail(error, "dangling escape in RDN value");
      return std::nullopt;
    }
    const int hi = hex_digit(raw[i + 1]);
    if (hi >= 0 && i + 2 < raw.size() && hex_digit(raw[i + 2]) >= 0) {
      rdn.value.push_back(static_cast<char>(hi * 16 + hex_digit(raw[i + 2])));
      i += 2;
    } else {
      rdn.value.push_back(raw[i + 1]);
      ++i;
    }
  }
  return rdn;
}

std::optional<Dn> parse_dn(std::string_view text, std::string* error) {
  Dn dn;
  if (trim(text).empty())
    return dn;
  std::vector<std::string_view> parts;
  if (!split_unescaped(text, ',', parts)) {
    fail(error, "dangling escape at the end of the DN");
    return std::nullopt;
  }
  for (auto part : parts) {
    std::string rdn_error;
    auto rdn = parse_rdn(part, &rdn_error);
    if (!rdn) {
      fail(error, "invalid DN \"" + std::string(trim(text)) + "\": " + rdn_error);
      return std::nullopt;
    }
    dn.rdns.push_back(std::move(*rdn));
  }
  return dn;
}

std::string Dn::to_string() const {
  std::string out;
  for (const auto& r : rdns) {
    if (!out.empty())
      out.push_back(',');
    out += r.type + "=" + escape_value(r.value);
  }
  return out;
}

std::string Dn::normalized() const {
  std::string out;
  for (const auto& r : rdns) {
    if (!out.empty())
      out.push_back(',');
    out += lower_ascii(r.type) + "=" + escape_value(normalize_value(r.value));
  }
  return out;
}

Dn Dn::parent() const {
  Dn p;
  if (rdns.size() > 1)
    p.rdns.assign(rdns.begin() + 1, rdns.end());
  return p;
}

bool Dn::is_under(const Dn& ancestor) const {
  if (ancestor.rdns.size() > rdns.size())
    return false;
  const std::size_t offset = rdns.size() - ancestor.rdns.size();
  for (std::size_t i = 0; i < ancestor.rdns.size(); ++i) {
    const auto& a = ancestor.rdns[i];
    const auto& b = rdns[offset + i];
    if (lower_ascii(a.type) != lower_ascii(b.type) ||
        normalize_value(a.value) != normalize_value(b.value)) {
      return false;
    }
  }
  return true;
}

}  // namespace hareyaka::hpd::dsml
