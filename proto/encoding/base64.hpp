// Base64 (RFC 4648): the standard alphabet with padding, used by XML (xsd:base64Binary,
// ATNA ParticipantObjectDetail) and the TOTP secret box; and the URL-safe alphabet without
// padding, used by the node assertion. One implementation for the whole project.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hareyaka {

enum class Base64Alphabet { kStandard, kUrlNoPadding };

std::string base64_encode(std::string_view bytes,
                          Base64Alphabet alphabet = Base64Alphabet::kStandard);

// Decodes strictly: std::nullopt on a character outside the alphabet, padding in the
// middle, a wrong amount of padding (kStandard wants a multiple of 4; kUrlNoPadding
// wants none) or a final character with bits that do not belong to the data.
// skip_xml_space lets the XML white space an xsd:base64Binary may carry (space, tab,
// CR, LF) appear anywhere.
std::optional<std::string> base64_decode(std::string_view text,
                                         Base64Alphabet alphabet = Base64Alphabet::kStandard,
                                         bool skip_xml_space = false);

}  // namespace hareyaka
