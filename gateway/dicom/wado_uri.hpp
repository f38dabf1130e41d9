// WADO-URI (PS3.18 Chapter 9 / the classic /wado?requestType=WADO&... interface): parsing
// the query into a typed request with errors that name the parameter, and answering it from
// the store (the raw file for application/dicom, a rendered JPEG/PNG otherwise).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "gateway/dicom/params.hpp"
#include "gateway/dicom/render.hpp"

namespace hareyaka::gateway::dicom {

class DicomStore;

struct WadoUriRequest {
  std::string study_uid;
  std::string series_uid;
  std::string object_uid;
  bool dicom = false;           // contentType=application/dicom: the stored file as is
  std::string transfer_syntax;  // requested with application/dicom; must be the stored one
  RenderOptions render;         // otherwise: format, frame, window, rows/columns, quality
};

// Parses requestType=WADO, studyUID, seriesUID, objectUID (required, valid UIDs),
// contentType (application/dicom | image/jpeg | image/png, or a list of which the first
// supported is taken; default image/jpeg), windowCenter+windowWidth, rows, columns,
// frameNumber, imageQuality. Rendering parameters with application/dicom, anonymize=yes and
// a transferSyntax other than the stored one are refused. Throws Error(kBadRequest).
WadoUriRequest parse_wado_uri(const QueryParams& params);

// What to send: either a file to stream (application/dicom) or bytes.
struct WadoResponse {
  std::string content_type;
  std::filesystem::path file;  // not empty: stream this file
  std::string body;            // otherwise: these bytes
};

// Throws Error(kNotFound) when the object is unknown or not in the given study/series, and
// render()'s errors for images.
WadoResponse serve_wado_uri(const DicomStore& store, const WadoUriRequest& request);

}  // namespace hareyaka::gateway::dicom
