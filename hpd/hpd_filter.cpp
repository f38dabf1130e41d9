#include "hpd/hpd_filter.hpp"

#include "hpd/dsml/dn.hpp"
#include "hpd/hpd_schema.hpp"

namespace hareyaka::hpd {
namespace {

using dsml::Filter;
using dsml::normalize_value;

std::string match_form(std::string_view attribute, std::string_view value) {
  if (attribute_type(attribute) == "objectclass") {
    if (auto c = canonical_object_class(value))
      return *c;
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

}  // namespace

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
