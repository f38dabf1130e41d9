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
// clang-format on

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "common/error.hpp"
#include "gateway/dicom/codecs.hpp"
#include "gateway/dicom/condition.hpp"
#include "gateway/dicom/jpeg_encoder.hpp"

namespace hareyaka::gateway::dicom {
namespace {

// Files up to this size are read whole (fastest); larger ones keep pixel data on disk until
// the frame is decoded (multi-frame studies of hundreds of MB).
constexpr std::uintmax_t kReadWholeUpTo = 32u << 20;
constexpr Uint32 kLazyReadLength = 4096;

// DicomImage looks attributes up many times; CT/MR headers carry hundreds of (private)
// elements, so the lookups dominate small renders. The image module needs only the Image
// Pixel, Modality LUT and VOI LUT attributes (group 0028), pixel data and a few others: they
// are moved (not copied) into a small dataset of their own.
std::unique_ptr<DcmDataset> image_attributes(DcmDataset& ds) {
  auto out = std::make_unique<DcmDataset>();
  std::vector<DcmObject*> wanted;  // walked in O(1) steps; getElement(i) would seek from the start
  for (DcmObject* e = ds.nextInContainer(nullptr); e != nullptr; e = ds.nextInContainer(e)) {
    const DcmTagKey key = e->getTag().getXTag();
    Uint16 g = key.getGroup();
    if (g == 0x0028 || g == 0x7FE0 || key == DCM_SOPClassUID || key == DCM_Modality ||
        key == DCM_PresentationLUTShape || key == DCM_ImageType)
      wanted.push_back(e);
  }
  for (DcmObject* e : wanted)
    out->insert(static_cast<DcmElement*>(ds.remove(e)), OFTrue);
  return out;
}
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
  std::error_code size_error;
  const std::uintmax_t size = std::filesystem::file_size(file, size_error);
  const Uint32 read_length =
      (!size_error && size <= kReadWholeUpTo) ? 0xFFFFFFFEu : kLazyReadLength;
  OFCondition cond =
      ff.loadFile(file.c_str(), EXS_Unknown, EGL_noChange, read_length, ERM_autoDetect);
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

  std::unique_ptr<DcmDataset> pixels = image_attributes(*ds);
  // Partial access decodes only the requested frame of a multi-frame image.
  const unsigned long flags = frames > 1 ? CIF_UsePartialAccessToPixelData : 0;
  DicomImage image(pixels.get(), xfer, flags, options.frame - 1, 1);
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
    const int components = out->isMonochrome() ? 1 : 3;
    // 8 bits per sample, interleaved (planar = 0), the one frame loaded.
    const void* pixels = out->getOutputData(8, 0, 0);
    if (!pixels)
      fail(ErrorCode::kUnprocessable, "cannot render this image: no output pixels");
    result.bytes = encode_jpeg(
        static_cast<const std::uint8_t*>(pixels), static_cast<unsigned>(out->getWidth()),
        static_cast<unsigned>(out->getHeight()), components, options.quality);
  }
  return result;
}

}  // namespace hareyaka::gateway::dicom
