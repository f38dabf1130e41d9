// DSML filters the HPD tests and the HPD bench build (header only: the users link
// hareyaka_hpd).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hpd/dsml/dsml.hpp"

namespace hareyaka::testing {

// A substrings assertion: attribute=initial*any*...*final.
inline hpd::dsml::Filter substrings_filter(const std::string& attribute,
                                           std::optional<std::string> initial,
                                           std::vector<std::string> any,
                                           std::optional<std::string> final_part) {
  hpd::dsml::Filter f;
  f.kind = hpd::dsml::Filter::Kind::kSubstrings;
  f.attribute = attribute;
  f.initial = std::move(initial);
  f.any = std::move(any);
  f.final_part = std::move(final_part);
  return f;
}

}  // namespace hareyaka::testing
