#include "common/media_check.hpp"

#include <array>

#include "common/error.hpp"

namespace hareyaka {
namespace {

struct Kind {
  std::string_view media_type, extension, magic, not_it;
};

constexpr std::array<Kind, 3> kKinds{{
    {"application/pdf", ".pdf", "%PDF-", "the file is not a PDF (it does not begin %PDF-)"},
    {"image/jpeg", ".jpg", "\xFF\xD8\xFF", "the file is not a JPEG image"},
    {"image/png", ".png", "\x89PNG\r\n\x1A\n", "the file is not a PNG image"},
}};

const Kind* kind_of(std::string_view media_type) {
  for (const auto& k : kKinds) {
    if (k.media_type == media_type)
      return &k;
  }
  return nullptr;
}

}  // namespace

std::string extension_for(std::string_view media_type) {
  const Kind* k = kind_of(media_type);
  return k ? std::string(k->extension) : "";
}

std::string checked_extension(std::string_view media_type, std::string_view bytes) {
  const Kind* k = kind_of(media_type);
  if (!k)
    throw Error(ErrorCode::kUnsupportedMediaType,
                "the file must be a PDF, JPEG or PNG file (Content-Type application/pdf, "
                "image/jpeg or image/png)");
  if (bytes.substr(0, k->magic.size()) != k->magic)
    throw Error(ErrorCode::kUnprocessable, std::string(k->not_it));
  return std::string(k->extension);
}

}  // namespace hareyaka
