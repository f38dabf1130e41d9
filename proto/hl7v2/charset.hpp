// Character set conversion for HL7 v2 messages. SS-MIX2 messages are ISO-2022-JP (MSH-18
// "~ISO IR87": ASCII plus JIS X 0208 through escape sequences); everything inside Hareyaka
// is UTF-8. The conversion runs over the whole message before it is split, because a JIS
// two-byte character may contain the bytes of '|', '^', '~', '\' or '&'.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hareyaka::hl7v2 {

struct CharsetError {
  std::size_t offset = 0;  // byte offset in the input where conversion stopped
  std::string message;
};

// Decodes ISO-2022-JP to UTF-8. Plain ASCII passes through unchanged.
std::optional<std::string> iso2022jp_to_utf8(std::string_view in, CharsetError* error = nullptr);

// Encodes UTF-8 as ISO-2022-JP (for writers such as the synthetic data generator). Fails on
// characters JIS X 0208 cannot represent (half-width katakana, most emoji).
std::optional<std::string> utf8_to_iso2022jp(std::string_view in, CharsetError* error = nullptr);

// True when `in` is well-formed UTF-8 without overlong forms or surrogates.
bool is_valid_utf8(std::string_view in);

}  // namespace hareyaka::hl7v2
