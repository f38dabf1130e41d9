// HL7 v2 escape sequences (\F\ \S\ \T\ \R\ \E\, \Xhh..\ and \.br\). Values are unescaped
// only when read, after splitting, so an escaped separator never splits a field.
#pragma once

#include <string>
#include <string_view>

namespace hareyaka::hl7v2 {

struct Separators {
  char field = '|';
  char component = '^';
  char repetition = '~';
  char escape = '\\';
  char subcomponent = '&';
};

// Decodes escapes in one leaf value. An unknown escape (a site's own \Z..\) is kept verbatim.
std::string unescape(std::string_view raw, const Separators& seps);

// Escapes a value so it can be written as one leaf (the inverse of unescape).
std::string escape(std::string_view value, const Separators& seps);

// Returns the offset of an escape character without its closing partner, or npos.
std::size_t find_unterminated_escape(std::string_view raw, const Separators& seps);

}  // namespace hareyaka::hl7v2
