// The kinds of file people attach to records (a care facility's documents, the care team's
// photos and PDFs): PDF, JPEG and PNG, each checked by its first bytes against the media
// type it is sent as, so that nothing else is stored under their names.
#pragma once

#include <string>
#include <string_view>

namespace hareyaka {

// The file extension (".pdf", ".jpg", ".png") of `media_type` when the bytes begin as that
// type does. Throws Error(kUnprocessable) when they do not, kUnsupportedMediaType for any
// other type.
std::string checked_extension(std::string_view media_type, std::string_view bytes);
// The extension of one of these types; "" for any other.
std::string extension_for(std::string_view media_type);

}  // namespace hareyaka
