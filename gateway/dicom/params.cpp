#include "gateway/dicom/params.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "common/error.hpp"

namespace hareyaka::gateway::dicom {
namespace {

[[noreturn]] void bad(const std::string& message) {
  throw Error(ErrorCode::kBadRequest, message, message);
}

}  // namespace

std::optional<std::string> single(const QueryParams& params, std::string_view key) {
  std::optional<std::string> found;
  for (const auto& [k, v] : params) {
    if (k != key)
      continue;
    if (found)
      bad("parameter '" + std::string(key) + "' is given more than once");
    found = v;
  }
  return found;
}

std::uint32_t parse_uint(std::string_view key, std::string_view value, std::uint32_t max) {
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (value.empty() || ec != std::errc() || end != value.data() + value.size() || n > max)
    bad("parameter '" + std::string(key) + "' must be a whole number from 0 to " +
        std::to_string(max));
  return static_cast<std::uint32_t>(n);
}

double parse_number(std::string_view key, std::string_view value) {
  std::string s(value);
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(d))
    bad("parameter '" + std::string(key) + "' must be a number");
  return d;
}

std::vector<std::string> split_list(std::string_view value) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : value) {
    if (c == ',' || c == '\\') {
      if (!cur.empty())
        out.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty())
    out.push_back(cur);
  return out;
}

}  // namespace hareyaka::gateway::dicom
