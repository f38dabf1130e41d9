#include "gateway/dicom/frames.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfcache.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcxfer.h>

#include <charconv>

#include "common/error.hpp"
#include "gateway/dicom/codecs.hpp"
#include "gateway/dicom/condition.hpp"
#include "gateway/dicom/render.hpp"

namespace hareyaka::gateway::dicom {
namespace {

[[noreturn]] void fail(ErrorCode code, const std::string& message) {
  throw Error(code, message, message);
}

}  // namespace

std::vector<std::uint32_t> parse_frame_list(std::string_view list) {
  std::vector<std::uint32_t> out;
  std::size_t start = 0;
  for (;;) {
    std::size_t comma = list.find(',', start);
    std::string_view item =
        list.substr(start, comma == std::string_view::npos ? comma : comma - start);
    std::uint32_t n = 0;
    auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), n);
    if (item.empty() || ec != std::errc() || end != item.data() + item.size() || n == 0)
      fail(ErrorCode::kBadRequest, "frame list must be comma-separated numbers from 1");
    out.push_back(n);
    if (out.size() > kMaxFrameList)
      fail(ErrorCode::kBadRequest, "too many frames in one request (max 1000)");
    if (comma == std::string_view::npos)
      break;
    start = comma + 1;
  }
  return out;
}

std::vector<std::string> read_frames(const std::filesystem::path& file,
                                     const std::vector<std::uint32_t>& frames) {
  register_codecs();
  DcmFileFormat ff;
  OFCondition cond = ff.loadFile(file.c_str(), EXS_Unknown, EGL_noChange, 4096, ERM_autoDetect);
  if (cond.bad())
    throw condition_error(cond, "reading the stored DICOM file", ErrorCode::kNotFound);
  DcmDataset* ds = ff.getDataset();
  std::string ts_uid = DcmXfer(ds->getOriginalXfer()).getXferID();
  DcmElement* element = nullptr;
  if (ds->findAndGetElement(DCM_PixelData, element).bad() || element == nullptr)
    fail(ErrorCode::kUnprocessable, "this instance has no pixel data");
  if (!can_decode(ts_uid))
    fail(ErrorCode::kUnprocessable, cannot_render_message(ts_uid));
  Sint32 count = 1;
  ds->findAndGetSint32(DCM_NumberOfFrames, count);
  if (count < 1)
    count = 1;
  Uint32 frame_size = 0;
  check(element->getUncompressedFrameSize(ds, frame_size), "sizing a frame",
        ErrorCode::kUnprocessable);
  std::vector<std::string> out;
  out.reserve(frames.size());
  DcmFileCache cache;
  for (std::uint32_t f : frames) {
    if (f > static_cast<std::uint32_t>(count))
      fail(ErrorCode::kBadRequest, "frame " + std::to_string(f) +
                                       " does not exist (the instance has " +
                                       std::to_string(count) + ")");
    std::string bytes(frame_size + (frame_size & 1), '\0');  // DCMTK wants an even buffer
    Uint32 start_fragment = 0;
    OFString color_model;
    check(element->getUncompressedFrame(ds, f - 1, start_fragment, bytes.data(),
                                        static_cast<Uint32>(bytes.size()), color_model, &cache),
          "decoding a frame", ErrorCode::kUnprocessable);
    bytes.resize(frame_size);
    out.push_back(std::move(bytes));
  }
  return out;
}

}  // namespace hareyaka::gateway::dicom
