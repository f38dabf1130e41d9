#include "common/media_check.hpp"

#include "common/error.hpp"

namespace hareyaka {

std::string extension_for(std::string_view media_type) {
  if (media_type == "application/pdf")
    return ".pdf";
  if (media_type == "image/jpeg")
    return ".jpg";
  if (media_type == "image/png")
    return ".png";
  return "";
}

std::string checked_extension(std::string_view media_type, std::string_view bytes) {
  auto starts = [&](std::string_view magic) { return bytes.substr(0, magic.size()) == magic; };
  if (media_type == "application/pdf") {
    if (!starts("%PDF-"))
      throw Error(ErrorCode::kUnprocessable, "the file is not a PDF (it does not begin %PDF-)");
    return ".pdf";
  }
  if (media_type == "image/jpeg") {
    if (!starts("\xFF\xD8\xFF"))
      throw Error(ErrorCode::kUnprocessable, "the file is not a JPEG image");
    return ".jpg";
  }
  if (media_type == "image/png") {
    if (!starts("\x89PNG\r\n\x1A\n"))
      throw Error(ErrorCode::kUnprocessable, "the file is not a PNG image");
    return ".png";
  }
  throw Error(ErrorCode::kUnsupportedMediaType,
              "the file must be a PDF, JPEG or PNG file (Content-Type application/pdf, "
              "image/jpeg or image/png)");
}

}  // namespace hareyaka
