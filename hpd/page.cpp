#include "hpd/page.hpp"

#include <algorithm>
#include <charconv>

#include "common/error.hpp"

namespace hareyaka::hpd {
namespace {

[[noreturn]] void bad_cursor() {
  throw Error(ErrorCode::kBadRequest, "invalid parameter 'cursor': not a cursor of this list",
              "paging cursor does not parse");
}

}  // namespace

int PageRequest::clamped_limit() const {
  return std::clamp(limit, 1, kMaxPageSize);
}

std::string encode_int_cursor(long long value) {
  return std::to_string(value);
}

long long decode_int_cursor(std::string_view cursor) {
  long long v = 0;
  auto [p, ec] = std::from_chars(cursor.data(), cursor.data() + cursor.size(), v);
  if (ec != std::errc() || p != cursor.data() + cursor.size() || cursor.empty())
    bad_cursor();
  return v;
}

std::string encode_pair_cursor(std::string_view a, std::string_view b) {
  return std::to_string(a.size()) + ":" + std::string(a) + std::string(b);
}

std::pair<std::string, std::string> decode_pair_cursor(std::string_view cursor) {
  auto colon = cursor.find(':');
  if (colon == std::string_view::npos || colon == 0)
    bad_cursor();
  std::size_t len = 0;
  auto [p, ec] = std::from_chars(cursor.data(), cursor.data() + colon, len);
  if (ec != std::errc() || p != cursor.data() + colon)
    bad_cursor();
  std::string_view rest = cursor.substr(colon + 1);
  if (len > rest.size())
    bad_cursor();
  // A cut inside a UTF-8 sequence would make both keys invalid text for PostgreSQL.
  if (len < rest.size() && (static_cast<unsigned char>(rest[len]) & 0xC0) == 0x80)
    bad_cursor();
  return {std::string(rest.substr(0, len)), std::string(rest.substr(len))};
}

}  // namespace hareyaka::hpd
