// Keyset paging shared by every list in hpd, consent and audit: a request carries an opaque
// cursor ("after") and a limit clamped to kMaxPageSize; a page carries the cursor of its
// last item, empty when there is nothing more. No list is ever unbounded.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hareyaka::hpd {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;

struct PageRequest {
  std::string after;  // opaque cursor from Page::next; empty for the first page
  int limit = kDefaultPageSize;

  // The limit clamped to 1..kMaxPageSize.
  int clamped_limit() const;
};

template <typename T>
struct Page {
  std::vector<T> items;
  std::string next;  // pass as PageRequest::after for the following page; empty at the end
};

// Cursor encodings. A bad cursor (tampered or from another list) is a kBadRequest Error.
std::string encode_int_cursor(long long value);
long long decode_int_cursor(std::string_view cursor);
// Two text keys (e.g. authority OID and local id), in an unambiguous length-prefixed form.
std::string encode_pair_cursor(std::string_view a, std::string_view b);
std::pair<std::string, std::string> decode_pair_cursor(std::string_view cursor);

}  // namespace hareyaka::hpd
