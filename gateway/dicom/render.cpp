#include "gateway/dicom/render.hpp"

// clang-format off
// dcmimage.h before the plugin headers, which rely on its declarations.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmimgle/dcmimage.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <dcmtk/dcmimage/dipipng.h>
#include <dcmtk/dcmimage/diregist.h>  // registers the colour image support with DicomImage
#include <dcmtk/dcmjpeg/dipijpeg.h>
// clang-format on

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "common/error.hpp"
#include "gateway/dicom/codecs.hpp"
#include "gateway/dicom/condition.hpp"

namespace hareyaka::gateway::dicom {
namespace {

constexpr Uint32 kMaxReadLength = 4096;  // pixel data stays on disk until a frame is decoded
constexpr std::uint32_t kMaxDimension = 8192;

[[noreturn]] void fail(ErrorCode code, const std::string& message) {
  throw Error(code, message, message);
}

// Writes through a FILE* (DCMTK's plugins take one) into memory.
std::string encode(DicomImage& image, const DiPluginFormat& plugin) {
  char* buffer = nullptr;
  std::size_t size = 0;
  std::FILE* f = open_memstream(&buffer, &size);
  if (!f)
    fail(ErrorCode::kInternal, "cannot allocate the image buffer");
  int ok = image.writePluginFormat(&plugin, f, 0);
  std::fclose(f);
  std::unique_ptr<char, decltype(&std::free)> owned(buffer, &std::free);
  if (!ok || size == 0)
    fail(ErrorCode::kUnprocessable, "cannot encode this image");
  return std::string(buffer, size);
}

}  // namespace

std::string_view content_type_of(ImageFormat format) {
  return format == ImageFormat::kPng ? "image/png" : "image/jpeg";
}

std::string cannot_render_message(std::string_view transfer_syntax_uid) {
  return "cannot render this transfer syntax (" + transfer_syntax_name(transfer_syntax_uid) +
         "); the original DICOM is available as application/dicom";
}

RenderedImage render(const std::filesystem::path& file, const RenderOptions& options) {
  register_codecs();
  if (options.frame == 0)
    fail(ErrorCode::kBadRequest, "frame numbers start at 1");
  if (options.window_center.has_value() != options.window_width.has_value())
    fail(ErrorCode::kBadRequest, "window center and window width go together");
  if (options.window_width && !(*options.window_width >= 1))
    fail(ErrorCode::kBadRequest, "window width must be at least 1");
  if (options.rows > kMaxDimension || options.columns > kMaxDimension)
    fail(ErrorCode::kBadRequest, "rows and columns are limited to 8192");
  if (options.quality < 1 || options.quality > 100)
    fail(ErrorCode::kBadRequest, "quality must be 1..100");

  DcmFileFormat ff;
  OFCondition cond =
      ff.loadFile(file.c_str(), EXS_Unknown, EGL_noChange, kMaxReadLength, ERM_autoDetect);
  if (cond.bad())
    throw condition_error(cond, "reading the stored DICOM file", ErrorCode::kNotFound);
  DcmDataset* ds = ff.getDataset();
  E_TransferSyntax xfer = ds->getOriginalXfer();
  std::string ts_uid = DcmXfer(xfer).getXferID();
  if (!ds->tagExists(DCM_PixelData) && !ds->tagExists(DCM_FloatPixelData) &&
      !ds->tagExists(DCM_DoubleFloatPixelData))
    fail(ErrorCode::kUnprocessable, "this instance has no pixel data to render");
  if (!can_decode(ts_uid))
    fail(ErrorCode::kUnprocessable, cannot_render_message(ts_uid));

  Sint32 frames = 1;
  ds->findAndGetSint32(DCM_NumberOfFrames, frames);
  if (frames < 1)
    frames = 1;
  if (options.frame > static_cast<std::uint32_t>(frames))
    fail(ErrorCode::kBadRequest, "frame " + std::to_string(options.frame) +
                                     " does not exist (the instance has " + std::to_string(frames) +
                                     ")");

  DicomImage image(&ff, xfer, CIF_UsePartialAccessToPixelData, options.frame - 1, 1);
  if (image.getStatus() != EIS_Normal) {
    fail(ErrorCode::kUnprocessable,
         std::string("cannot render this image: ") + DicomImage::getString(image.getStatus()));
  }
  if (image.isMonochrome()) {
    if (options.window_center) {
      image.setWindow(*options.window_center, *options.window_width);
    } else if (image.getWindowCount() > 0) {
      image.setWindow(0);
    } else {
      image.setMinMaxWindow();
    }
  }
  DicomImage* out = &image;
  std::unique_ptr<DicomImage> scaled;
  if (options.rows || options.columns) {
    double w = static_cast<double>(image.getWidth()), h = static_cast<double>(image.getHeight());
    double sx = options.columns ? options.columns / w : 0, sy = options.rows ? options.rows / h : 0;
    // Fit inside the requested box, keeping the aspect ratio.
    double s = (sx && sy) ? std::min(sx, sy) : (sx ? sx : sy);
    auto cols = static_cast<unsigned long>(std::max(1.0, std::round(w * s)));
    auto rows = static_cast<unsigned long>(std::max(1.0, std::round(h * s)));
    scaled.reset(image.createScaledImage(cols, rows, 1 /*interpolate*/, 0 /*aspect*/));
    if (!scaled || scaled->getStatus() != EIS_Normal)
      fail(ErrorCode::kUnprocessable, "cannot scale this image");
    out = scaled.get();
  }
  RenderedImage result;
  result.content_type = std::string(content_type_of(options.format));
  if (options.format == ImageFormat::kPng) {
    DiPNGPlugin plugin;
    plugin.setInterlaceType(E_pngInterlaceNone);
    plugin.setMetainfoType(E_pngNoMetainfo);
    result.bytes = encode(*out, plugin);
  } else {
    DiJPEGPlugin plugin;
    plugin.setQuality(static_cast<unsigned int>(options.quality));
    result.bytes = encode(*out, plugin);
  }
  return result;
}

}  // namespace hareyaka::gateway::dicom
