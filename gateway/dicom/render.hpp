// Rendering one frame of a stored instance to JPEG or PNG through DCMTK's image module
// (dcmimgle/dcmimage: monochrome with VOI window or min/max, colour incl. YBR and palette),
// scaled on request. Failures are Errors with a message a viewer can show: an instance
// without pixels, a frame that does not exist, or a transfer syntax this build cannot decode
// ("cannot render this transfer syntax (JPEG 2000 ...)") — the raw DICOM stays retrievable.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace hareyaka::gateway::dicom {

enum class ImageFormat { kJpeg, kPng };

std::string_view content_type_of(ImageFormat format);

struct RenderOptions {
  ImageFormat format = ImageFormat::kJpeg;
  std::uint32_t frame = 1;  // 1-based, as in WADO
  std::optional<double> window_center;
  std::optional<double> window_width;  // both or neither
  std::uint32_t rows = 0;              // 0: the image's own; one given keeps the aspect ratio
  std::uint32_t columns = 0;
  int quality = 90;  // JPEG quality 1..100
};

struct RenderedImage {
  std::string bytes;
  std::string content_type;
};

// Throws Error: kUnprocessable (no pixel data, undecodable transfer syntax, image DCMTK
// cannot interpret), kBadRequest (frame out of range, bad options), kNotFound (file gone).
RenderedImage render(const std::filesystem::path& file, const RenderOptions& options);

// The message for an undecodable transfer syntax (shared with frame retrieval).
std::string cannot_render_message(std::string_view transfer_syntax_uid);

}  // namespace hareyaka::gateway::dicom
