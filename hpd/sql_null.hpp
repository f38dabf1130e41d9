// Nullable statement parameters. libpqxx 6 sends a null `const char*` as SQL NULL, and
// PostgreSQL casts the text form to the parameter's type. (common/pg.hpp's std::optional
// traits are ambiguous with libpqxx 6.4's own, so optionals are passed through these.)
// The pointer is valid for the full expression that creates the temporary optional.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace hareyaka::hpd {

inline const char* or_null(const std::optional<std::string>& s) {
  return s ? s->c_str() : nullptr;
}

inline std::optional<std::string> text_of(const std::optional<std::int64_t>& v) {
  if (!v)
    return std::nullopt;
  return std::to_string(*v);
}

inline std::optional<std::string> text_of(const std::optional<bool>& v) {
  if (!v)
    return std::nullopt;
  return std::string(*v ? "true" : "false");
}

}  // namespace hareyaka::hpd
