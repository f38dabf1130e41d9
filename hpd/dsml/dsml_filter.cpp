// DSMLv2 filters: parsing (<filter> content) and the attribute-description syntax check.
#include "hpd/dsml/dsml_internal.hpp"

namespace hareyaka::hpd::dsml {
namespace {

constexpr int kMaxFilterDepth = 32;
constexpr std::size_t kMaxFilterNodes = 1000;

struct FilterParser {
  std::size_t nodes = 0;

  Filter parse_choice(xml::Node e, int depth) {
    if (depth > kMaxFilterDepth)
      throw DsmlError("filter nested deeper than " + std::to_string(kMaxFilterDepth));
    if (++nodes > kMaxFilterNodes)
      throw DsmlError("filter has more than " + std::to_string(kMaxFilterNodes) + " items");
    if (e.ns() != kDsmlNs)
      throw DsmlError("filter element <" + std::string(e.local_name()) +
                      "> is not in the DSMLv2 namespace");
    const std::string_view name = e.local_name();
    Filter f;
    if (name == "and" || name == "or") {
      f.kind = name == "and" ? Filter::Kind::kAnd : Filter::Kind::kOr;
      for (auto child : e.elements())
        f.children.push_back(parse_choice(child, depth + 1));
      return f;
    }
    if (name == "not") {
      f.kind = Filter::Kind::kNot;
      f.children.push_back(parse_holder(e, depth + 1));
      return f;
    }
    if (name == "extensibleMatch")
      throw DsmlError("extensibleMatch filters are not supported");
    static constexpr std::pair<std::string_view, Filter::Kind> kAssertions[] = {
        {"equalityMatch", Filter::Kind::kEqualityMatch},
        {"greaterOrEqual", Filter::Kind::kGreaterOrEqual},
        {"lessOrEqual", Filter::Kind::kLessOrEqual},
        {"approxMatch", Filter::Kind::kApproxMatch},
        {"substrings", Filter::Kind::kSubstrings},
        {"present", Filter::Kind::kPresent},
    };
    bool known = false;
    for (const auto& [n, k] : kAssertions) {
      if (n == name) {
        f.kind = k;
        known = true;
      }
    }
    if (!known)
      throw DsmlError("unknown filter element <" + std::string(name) + ">");
    auto attr = e.attr("name");
    if (!attr || !is_attribute_description(*attr)) {
      throw DsmlError("<" + std::string(name) + "> needs a valid name attribute, got \"" +
                      attr.value_or("") + "\"");
    }
    f.attribute = *attr;
    if (f.kind == Filter::Kind::kPresent) {
      if (!e.elements().empty())
        throw DsmlError("<present> has no content");
      return f;
    }
    if (f.kind == Filter::Kind::kSubstrings) {
      int order = 0;  // initial (0), any (1), final (2) must come in this order
      for (auto child : e.elements()) {
        const auto local = child.local_name();
        const int rank = local == "initial" ? 0 : local == "any" ? 1 : local == "final" ? 2 : -1;
        if (child.ns() != kDsmlNs || rank < 0)
          throw DsmlError("unexpected <" + std::string(local) + "> in <substrings>");
        if (rank < order || (rank != 1 && rank == order && (rank == 0 ? f.initial : f.final_part)))
          throw DsmlError("<substrings> parts out of order or repeated");
        order = rank;
        std::string v = value_of(child);
        if (v.empty())
          throw DsmlError("empty <" + std::string(local) + "> in <substrings>");
        if (rank == 0)
          f.initial = std::move(v);
        else if (rank == 1)
          f.any.push_back(std::move(v));
        else
          f.final_part = std::move(v);
      }
      if (!f.initial && f.any.empty() && !f.final_part)
        throw DsmlError("<substrings> needs initial, any or final");
      return f;
    }
    const auto values = e.children(kDsmlNs, "value");
    if (values.size() != 1 || e.elements().size() != 1)
      throw DsmlError("<" + std::string(name) + "> needs exactly one <value>");
    f.value = value_of(values.front());
    return f;
  }

  // An element that holds exactly one filter choice (<filter>, <not>).
  Filter parse_holder(xml::Node holder, int depth) {
    const auto elements = holder.elements();
    if (elements.size() != 1) {
      throw DsmlError("<" + std::string(holder.local_name()) +
                      "> must hold exactly one filter item, found " +
                      std::to_string(elements.size()));
    }
    return parse_choice(elements.front(), depth);
  }
};

}  // namespace

bool is_attribute_description(std::string_view s) {
  if (s.empty() || s.size() > 128)
    return false;
  const auto semi = s.find(';');
  const std::string_view type = s.substr(0, semi);
  if (type.empty())
    return false;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (alpha(type[0])) {
    for (char c : type) {
      if (!alpha(c) && !digit(c) && c != '-')
        return false;
    }
  } else {
    if (type.size() < 3 || type[0] < '0' || type[0] > '2' || type[1] != '.')
      return false;
    for (std::size_t i = 2; i < type.size(); ++i) {
      if (!digit(type[i]) && !(type[i] == '.' && digit(type[i - 1])))
        return false;
    }
    if (!digit(type.back()))
      return false;
  }
  if (semi == std::string_view::npos)
    return true;
  std::string_view options = s.substr(semi + 1);
  while (true) {
    const auto next = options.find(';');
    const auto opt = options.substr(0, next);
    if (opt.empty())
      return false;
    for (char c : opt) {
      if (!alpha(c) && !digit(c) && c != '-')
        return false;
    }
    if (next == std::string_view::npos)
      return true;
    options.remove_prefix(next + 1);
  }
}

Filter parse_filter(xml::Node holder) {
  FilterParser p;
  return p.parse_holder(holder, 0);
}

}  // namespace hareyaka::hpd::dsml
