#include "hpd/hpd_filter.hpp"

#include <cstdint>

#include "hpd/dsml/dn.hpp"
#include "hpd/hpd_schema.hpp"

namespace hareyaka::hpd {
namespace {

using dsml::Filter;
using dsml::normalize_value;

std::string match_form(std::string_view attribute, std::string_view value) {
  const auto type = attribute_type(attribute);
  if (type == "objectclass") {
    if (auto c = canonical_object_class(value))
      return *c;
  } else if (is_dn_attribute(type)) {
    // distinguishedNameMatch: "uid=a, ou=X" and "UID=a,ou=x" name one entry.
    if (auto dn = dsml::parse_dn(value))
      return dn->normalized();
  }
  return normalize_value(value);
}

std::string without_spaces(std::string s) {
  std::erase(s, ' ');
  return s;
}

// True when `v` contains initial..any..final in order.
bool substrings_match(const Filter& f, const std::string& v) {
  std::size_t pos = 0;
  if (f.initial) {
    const auto i = normalize_value(*f.initial);
    if (v.compare(0, i.size(), i) != 0)
      return false;
    pos = i.size();
  }
  for (const auto& a : f.any) {
    const auto n = normalize_value(a);
    const auto at = v.find(n, pos);
    if (at == std::string::npos)
      return false;
    pos = at + n.size();
  }
  if (f.final_part) {
    const auto n = normalize_value(*f.final_part);
    if (n.size() > v.size() - pos || v.compare(v.size() - n.size(), n.size(), n) != 0)
      return false;
  }
  return true;
}

Truth assertion(const Filter& f, const dsml::Entry& entry) {
  if (!is_known_attribute(f.attribute))
    return Truth::kUndefined;
  const std::string type = attribute_type(f.attribute);
  // Values of every attribute description with this type (options ignored).
  std::vector<std::string> values;
  for (const auto& a : entry.attrs) {
    if (attribute_type(a.name) != type)
      continue;
    for (const auto& v : a.values)
      values.push_back(match_form(type, v));
  }
  if (f.kind == Filter::Kind::kPresent)
    return values.empty() ? Truth::kFalse : Truth::kTrue;
  const std::string want = match_form(type, f.value);
  for (const auto& v : values) {
    bool hit = false;
    switch (f.kind) {
      case Filter::Kind::kEqualityMatch:
        hit = v == want;
        break;
      case Filter::Kind::kApproxMatch:
        hit = without_spaces(v) == without_spaces(want);
        break;
      case Filter::Kind::kGreaterOrEqual:
        hit = v >= want;
        break;
      case Filter::Kind::kLessOrEqual:
        hit = v <= want;
        break;
      case Filter::Kind::kSubstrings:
        hit = substrings_match(f, v);
        break;
      default:
        break;
    }
    if (hit)
      return Truth::kTrue;
  }
  return Truth::kFalse;
}

bool substring_indexed(const std::string& type) {
  return type != "objectclass" && type.find("certificate") == std::string::npos;
}

// A normalized value as indexed: separators become spaces, each non-ASCII character (code
// point) four base-36 digits, so that a trigram inside one character names that character.
void append_indexed(std::string& out, std::string_view v) {
  static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  for (std::size_t i = 0; i < v.size();) {
    const auto u = static_cast<unsigned char>(v[i]);
    if (u < 0x80) {
      out.push_back(u == 1 || u == 2 ? ' ' : v[i]);
      ++i;
      continue;
    }
    // One UTF-8 sequence; a malformed byte stands for itself.
    const int len = u >= 0xf0 ? 4 : u >= 0xe0 ? 3 : u >= 0xc0 ? 2 : 1;
    std::uint32_t cp = len == 1 ? u : u & (0x3f >> (len - 1));
    int n = 1;
    for (; n < len && i + n < v.size(); ++n) {
      const auto c = static_cast<unsigned char>(v[i + n]);
      if ((c & 0xc0) != 0x80)
        break;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (n < len) {
      cp = u;
      n = 1;
    }
    char digits[4];
    for (int d = 3; d >= 0; --d, cp /= 36)
      digits[d] = kDigits[cp % 36];
    out.append(digits, 4);
    i += n;
  }
}

// An attribute type as indexed: each character as two punctuation characters (base 28), so
// that pg_trgm, which takes trigrams from letters and digits only, takes none from it. Every
// entry has a cn or a displayName; as words, their trigrams would be in every row, and an
// index scan would read those posting lists whole.
void append_type_tag(std::string& out, std::string_view type) {
  static constexpr std::string_view kMarks = "!#$%&()*+,-./:;<=>?@[]^_{|}~";
  static_assert(kMarks.size() == 28);
  for (const char c : type) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(kMarks[(u / kMarks.size()) % kMarks.size()]);
    out.push_back(kMarks[u % kMarks.size()]);
  }
}

// Text inside a regular expression: ASCII punctuation escaped.
void append_escaped(std::string& out, std::string_view text) {
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && u > 0x20 && u < 0x7f)
      out.push_back('\\');
    out.push_back(c);
  }
}

// A value inside a regular expression, spelled as indexed.
void append_pattern(std::string& out, std::string_view v) {
  std::string indexed;
  append_indexed(indexed, v);
  append_escaped(out, indexed);
}

}  // namespace

std::string substring_index_text(const dsml::Entry& entry) {
  std::string out;
  for (const auto& a : entry.attrs) {
    const auto type = attribute_type(a.name);
    if (!substring_indexed(type))
      continue;
    for (const auto& v : a.values) {
      out.push_back('\x01');
      append_type_tag(out, type);
      out.push_back('\x02');
      append_indexed(out, normalize_value(v));
    }
  }
  if (!out.empty())
    out.push_back('\x01');
  return out;
}

std::optional<std::string> required_substring_pattern(const Filter& f) {
  if (f.kind == Filter::Kind::kSubstrings && is_known_attribute(f.attribute)) {
    const auto type = attribute_type(f.attribute);
    if (!substring_indexed(type))
      return std::nullopt;
    constexpr std::string_view kAnyInValue = "[^\x01]*";
    std::string p = "\x01";
    std::string tag;
    append_type_tag(tag, type);
    append_escaped(p, tag);
    p.push_back('\x02');
    if (f.initial)
      append_pattern(p, normalize_value(*f.initial));
    for (const auto& a : f.any) {
      p += kAnyInValue;
      append_pattern(p, normalize_value(a));
    }
    if (f.final_part) {
      p += kAnyInValue;
      append_pattern(p, normalize_value(*f.final_part));
      p.push_back('\x01');
    }
    return p;
  }
  if (f.kind == Filter::Kind::kAnd) {
    for (const auto& c : f.children) {
      if (auto r = required_substring_pattern(c))
        return r;
    }
  }
  return std::nullopt;
}

std::string match_value(std::string_view attribute, std::string_view value) {
  return match_form(attribute, value);
}

Truth evaluate(const Filter& f, const dsml::Entry& entry) {
  switch (f.kind) {
    case Filter::Kind::kAnd: {
      Truth t = Truth::kTrue;
      for (const auto& c : f.children) {
        const Truth r = evaluate(c, entry);
        if (r == Truth::kFalse)
          return Truth::kFalse;
        if (r == Truth::kUndefined)
          t = Truth::kUndefined;
      }
      return t;
    }
    case Filter::Kind::kOr: {
      Truth t = Truth::kFalse;
      for (const auto& c : f.children) {
        const Truth r = evaluate(c, entry);
        if (r == Truth::kTrue)
          return Truth::kTrue;
        if (r == Truth::kUndefined)
          t = Truth::kUndefined;
      }
      return t;
    }
    case Filter::Kind::kNot: {
      if (f.children.empty())
        return Truth::kUndefined;
      const Truth r = evaluate(f.children.front(), entry);
      return r == Truth::kUndefined ? r : r == Truth::kTrue ? Truth::kFalse : Truth::kTrue;
    }
    default:
      return assertion(f, entry);
  }
}

std::optional<std::pair<std::string, std::string>> required_equality(const Filter& f) {
  // objectClass is in nearly every HPD filter and selects a whole container: not worth an
  // index lookup.
  if (f.kind == Filter::Kind::kEqualityMatch && is_known_attribute(f.attribute) &&
      attribute_type(f.attribute) != "objectclass") {
    const auto type = attribute_type(f.attribute);
    return std::pair{type, match_form(type, f.value)};
  }
  if (f.kind == Filter::Kind::kAnd) {
    for (const auto& c : f.children) {
      if (auto r = required_equality(c))
        return r;
    }
  }
  return std::nullopt;
}

dsml::Entry select_attributes(const dsml::Entry& entry, const std::vector<std::string>& attributes,
                              bool types_only) {
  dsml::Entry out;
  out.dn = entry.dn;
  bool all = attributes.empty();
  for (const auto& a : attributes) {
    if (a == "*")
      all = true;
  }
  for (const auto& a : entry.attrs) {
    bool wanted = all;
    if (!wanted) {
      for (const auto& name : attributes)
        wanted = wanted || attribute_type(name) == attribute_type(a.name);
    }
    if (!wanted)
      continue;
    out.attrs.push_back({a.name, types_only ? std::vector<std::string>{} : a.values});
  }
  return out;
}

}  // namespace hareyaka::hpd
