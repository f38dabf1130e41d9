#include "gateway/dicom/wado_rs.hpp"

#include "common/error.hpp"
#include "gateway/dicom/dicom_json.hpp"
#include "gateway/dicom/frames.hpp"
#include "gateway/dicom/store.hpp"

namespace hareyaka::gateway::dicom {
namespace {

[[noreturn]] void bad(const std::string& message) {
  throw Error(ErrorCode::kBadRequest, message, message);
}

InstanceRecord one_instance(const DicomStore& store, const std::string& study_uid,
                            const std::string& series_uid, const std::string& sop_uid) {
  auto r = store.index().instance(sop_uid);
  if (!r || r->study_uid != study_uid || (!series_uid.empty() && r->series_uid != series_uid))
    throw Error(ErrorCode::kNotFound, "no such instance in this study and series");
  return *r;
}

std::vector<InstanceRecord> records(const DicomStore& store, const std::string& study_uid,
                                    const std::string& series_uid, const std::string& sop_uid) {
  if (!sop_uid.empty())
    return {one_instance(store, study_uid, series_uid, sop_uid)};
  auto all = store.index().instances_of(study_uid, series_uid, kMaxInstancesPerResponse);
  if (all.empty())
    throw Error(ErrorCode::kNotFound, series_uid.empty() ? "no such study" : "no such series");
  return all;
}

}  // namespace

std::vector<InstanceFile> retrieve_files(const DicomStore& store, const std::string& study_uid,
                                         const std::string& series_uid,
                                         const std::string& sop_uid) {
  std::vector<InstanceFile> out;
  for (const auto& r : records(store, study_uid, series_uid, sop_uid))
    out.push_back({r.sop_uid, store.file_of(r), r.size_bytes});
  return out;
}

nlohmann::json retrieve_metadata(const DicomStore& store, const std::string& study_uid,
                                 const std::string& series_uid, const std::string& sop_uid,
                                 const std::string& base_url) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : records(store, study_uid, series_uid, sop_uid)) {
    std::string uri;
    if (!base_url.empty() && r.frames > 0)
      uri = base_url + "/studies/" + r.study_uid + "/series/" + r.series_uid + "/instances/" +
            r.sop_uid + "/frames/1";
    out.push_back(file_to_json(store.file_of(r), uri));
  }
  return out;
}

std::vector<std::string> retrieve_frames(const DicomStore& store, const std::string& study_uid,
                                         const std::string& series_uid, const std::string& sop_uid,
                                         std::string_view frame_list) {
  auto frames = parse_frame_list(frame_list);
  return read_frames(store.file_of(one_instance(store, study_uid, series_uid, sop_uid)), frames);
}

RenderOptions parse_rendered(const QueryParams& params, std::string_view accept,
                             std::uint32_t frame) {
  RenderOptions o;
  o.frame = frame == 0 ? 1 : frame;
  if (accept.empty() || accept.find("image/jpeg") != std::string_view::npos ||
      accept.find("image/*") != std::string_view::npos ||
      accept.find("*/*") != std::string_view::npos) {
    o.format = ImageFormat::kJpeg;
  } else if (accept.find("image/png") != std::string_view::npos) {
    o.format = ImageFormat::kPng;
  } else {
    throw Error(ErrorCode::kUnsupportedMediaType,
                "rendered images are offered as image/jpeg or image/png");
  }
  if (accept.find("image/png") != std::string_view::npos &&
      (accept.find("image/jpeg") == std::string_view::npos ||
       accept.find("image/png") < accept.find("image/jpeg")))
    o.format = ImageFormat::kPng;
  for (const auto& [k, v] : params) {
    if (k == "window") {
      auto parts = split_list(v);  // center,width[,function]
      if (parts.size() < 2 || parts.size() > 3)
        bad("parameter 'window' must be center,width[,function]");
      o.window_center = parse_number("window", parts[0]);
      o.window_width = parse_number("window", parts[1]);
      if (*o.window_width < 1)
        bad("window width must be at least 1");
      if (parts.size() == 3 && parts[2] != "linear")
        bad("only the linear window function is offered");
    } else if (k == "viewport") {
      auto parts = split_list(v);  // vw,vh (the source-rectangle form is not offered)
      if (parts.size() != 2)
        bad("parameter 'viewport' must be width,height");
      o.columns = parse_uint("viewport", parts[0], 8192);
      o.rows = parse_uint("viewport", parts[1], 8192);
    } else if (k == "quality") {
      o.quality = static_cast<int>(parse_uint("quality", v, 100));
      if (o.quality == 0)
        bad("parameter 'quality' must be 1..100");
    } else if (k == "annotation" || k == "charset") {
      // accepted, no annotations are burnt in
    } else {
      bad("unknown parameter '" + k + "'");
    }
  }
  return o;
}

RenderedImage retrieve_rendered(const DicomStore& store, const std::string& study_uid,
                                const std::string& series_uid, const std::string& sop_uid,
                                const RenderOptions& options) {
  return render(store.file_of(one_instance(store, study_uid, series_uid, sop_uid)), options);
}

}  // namespace hareyaka::gateway::dicom
