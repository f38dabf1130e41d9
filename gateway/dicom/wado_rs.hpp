// WADO-RS (PS3.18 10.4) retrieval logic for the HTTP layer: which files make up a study,
// series or instance (streamed as multipart/related; application/dicom with
// MultipartRelated), their metadata (DICOM JSON), frames (native pixel bytes) and rendered
// images. Every function throws Error(kNotFound) for unknown UIDs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/dicom/params.hpp"
#include "gateway/dicom/render.hpp"

namespace hareyaka::gateway::dicom {

class DicomStore;

// At most this many instances in one study/series response.
inline constexpr std::size_t kMaxInstancesPerResponse = 20000;

struct InstanceFile {
  std::string sop_uid;
  std::filesystem::path file;
  std::uint64_t size_bytes = 0;
};

// series_uid / sop_uid empty: the whole study / series.
std::vector<InstanceFile> retrieve_files(const DicomStore& store, const std::string& study_uid,
                                         const std::string& series_uid = {},
                                         const std::string& sop_uid = {});

// An array with one DICOM JSON object per instance. base_url ("https://gw/dicomweb"): when
// given, pixel data appears as a BulkDataURI to the instance's frames.
nlohmann::json retrieve_metadata(const DicomStore& store, const std::string& study_uid,
                                 const std::string& series_uid = {},
                                 const std::string& sop_uid = {}, const std::string& base_url = {});

// Frame bytes (uncompressed) for a frame list such as "1,3".
std::vector<std::string> retrieve_frames(const DicomStore& store, const std::string& study_uid,
                                         const std::string& series_uid, const std::string& sop_uid,
                                         std::string_view frame_list);

// Rendered-resource parameters: window=center,width[,function], viewport=vw,vh[,...],
// quality=1..100; accept: the Accept header (image/jpeg default, image/png). frame: 1-based,
// 0 for the instance's first. Throws Error(kBadRequest) / kUnsupportedMediaType.
RenderOptions parse_rendered(const QueryParams& params, std::string_view accept,
                             std::uint32_t frame = 0);

RenderedImage retrieve_rendered(const DicomStore& store, const std::string& study_uid,
                                const std::string& series_uid, const std::string& sop_uid,
                                const RenderOptions& options);

}  // namespace hareyaka::gateway::dicom
