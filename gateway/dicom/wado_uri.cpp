#include "gateway/dicom/wado_uri.hpp"

#include "common/error.hpp"
#include "gateway/dicom/codecs.hpp"
#include "gateway/dicom/record.hpp"
#include "gateway/dicom/store.hpp"

namespace hareyaka::gateway::dicom {
namespace {

[[noreturn]] void bad(const std::string& message) {
  throw Error(ErrorCode::kBadRequest, message, message);
}

const char* const kKnown[] = {"requestType",     "studyUID",
                              "seriesUID",       "objectUID",
                              "contentType",     "windowCenter",
                              "windowWidth",     "rows",
                              "columns",         "frameNumber",
                              "imageQuality",    "anonymize",
                              "transferSyntax",  "charset",
                              "region",          "annotation",
                              "presentationUID", "presentationSeriesUID"};

std::string required_uid(const QueryParams& params, const char* key) {
  auto v = single(params, key);
  if (!v || v->empty())
    bad(std::string("parameter '") + key + "' is required");
  if (!valid_uid(*v))
    bad(std::string("parameter '") + key + "' is not a valid DICOM UID");
  return *v;
}

}  // namespace

WadoUriRequest parse_wado_uri(const QueryParams& params) {
  for (const auto& [k, v] : params) {
    bool known = false;
    for (const char* name : kKnown)
      known = known || k == name;
    if (!known)
      bad("unknown parameter '" + k + "'");
  }
  auto request_type = single(params, "requestType");
  if (!request_type)
    bad("parameter 'requestType' is required");
  if (*request_type != "WADO")
    bad("parameter 'requestType' must be WADO");
  WadoUriRequest r;
  r.study_uid = required_uid(params, "studyUID");
  r.series_uid = required_uid(params, "seriesUID");
  r.object_uid = required_uid(params, "objectUID");

  if (auto ct = single(params, "contentType")) {
    bool chosen = false;
    for (const auto& item : split_list(*ct)) {
      std::string type = item.substr(0, item.find(';'));  // drop media-type parameters
      while (!type.empty() && type.back() == ' ')
        type.pop_back();
      while (!type.empty() && type.front() == ' ')
        type.erase(type.begin());
      if (type == "application/dicom") {
        r.dicom = true;
      } else if (type == "image/jpeg" || type == "image/*" || type == "*/*") {
        r.render.format = ImageFormat::kJpeg;
      } else if (type == "image/png") {
        r.render.format = ImageFormat::kPng;
      } else {
        continue;
      }
      chosen = true;
      break;
    }
    if (!chosen)
      bad("parameter 'contentType' must be application/dicom, image/jpeg or image/png");
  }
  auto center = single(params, "windowCenter");
  auto width = single(params, "windowWidth");
  auto rows = single(params, "rows");
  auto columns = single(params, "columns");
  auto frame = single(params, "frameNumber");
  auto quality = single(params, "imageQuality");
  if (r.dicom) {
    if (center || width || rows || columns || frame || quality || single(params, "region"))
      bad("rendering parameters (windowCenter, windowWidth, rows, columns, frameNumber, "
          "imageQuality, region) "
          "are not allowed with contentType=application/dicom");
  }
  if (center.has_value() != width.has_value())
    bad("windowCenter and windowWidth must be given together");
  if (center) {
    r.render.window_center = parse_number("windowCenter", *center);
    r.render.window_width = parse_number("windowWidth", *width);
    if (*r.render.window_width < 1)
      bad("parameter 'windowWidth' must be at least 1");
  }
  if (rows)
    r.render.rows = parse_uint("rows", *rows, 8192);
  if (columns)
    r.render.columns = parse_uint("columns", *columns, 8192);
  if (frame) {
    r.render.frame = parse_uint("frameNumber", *frame, 1u << 20);
    if (r.render.frame == 0)
      bad("parameter 'frameNumber' starts at 1");
  }
  if (quality) {
    r.render.quality = static_cast<int>(parse_uint("imageQuality", *quality, 100));
    if (r.render.quality == 0)
      bad("parameter 'imageQuality' must be 1..100");
  }
  if (auto anonymize = single(params, "anonymize"); anonymize && *anonymize == "yes")
    bad("anonymize=yes is not supported");
  if (single(params, "region"))
    bad("parameter 'region' is not supported");
  if (auto ts = single(params, "transferSyntax")) {
    if (!r.dicom)
      bad("parameter 'transferSyntax' applies to contentType=application/dicom only");
    if (!valid_uid(*ts))
      bad("parameter 'transferSyntax' is not a valid DICOM UID");
    r.transfer_syntax = *ts;
  }
  return r;
}

WadoResponse serve_wado_uri(const DicomStore& store, const WadoUriRequest& request) {
  auto record = store.index().instance(request.object_uid);
  if (!record || record->study_uid != request.study_uid || record->series_uid != request.series_uid)
    throw Error(ErrorCode::kNotFound, "no such object in this study and series");
  WadoResponse response;
  if (request.dicom) {
    if (!request.transfer_syntax.empty() &&
        request.transfer_syntax != record->transfer_syntax_uid) {
      std::string m = "transcoding is not offered; this object is stored as " +
                      transfer_syntax_name(record->transfer_syntax_uid);
      throw Error(ErrorCode::kUnprocessable, m, m);
    }
    response.content_type = "application/dicom";
    response.file = store.file_of(*record);
    return response;
  }
  RenderedImage image = render(store.file_of(*record), request.render);
  response.content_type = std::move(image.content_type);
  response.body = std::move(image.bytes);
  return response;
}

}  // namespace hareyaka::gateway::dicom
