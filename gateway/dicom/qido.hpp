// QIDO-RS (PS3.18 10.6): search for studies, series or instances in the index with the
// usual matching parameters, returning a DICOM JSON array. The HTTP layer passes the level,
// the UIDs from the path and the decoded query parameters.
//
// Matching keys (keyword or tag): StudyInstanceUID 0020000D (list), PatientID 00100020,
// PatientName 00100010 (wildcards * ?, any component group), StudyDate 00080020 (date or
// range A-B, -B, A-), ModalitiesInStudy 00080061 / Modality 00080060 (list), AccessionNumber
// 00080050, StudyID 00200010, SeriesInstanceUID 0020000E (list), SeriesNumber 00200011,
// SOPInstanceUID 00080018 (list), SOPClassUID 00080016 (list), InstanceNumber 00200013;
// and limit, offset, includefield (accepted; every supported attribute is always returned),
// fuzzymatching (accepted; matching is never fuzzy). Anything else is a clear 400.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>

#include "gateway/dicom/index.hpp"
#include "gateway/dicom/params.hpp"

namespace hareyaka::gateway::dicom {

enum class QidoLevel { kStudies, kSeries, kInstances };

struct QidoOptions {
  std::size_t default_limit = 100;
  std::size_t max_limit = 1000;
  std::string base_url;  // for Retrieve URL (0008,1190); empty: left out
};

// study_uid / series_uid: from the path (/studies/{study}/series?...), empty when absent.
// Throws Error(kBadRequest) naming the offending parameter.
nlohmann::json qido_search(const DicomIndex& index, QidoLevel level, const std::string& study_uid,
                           const std::string& series_uid, const QueryParams& params,
                           const QidoOptions& options = {});

// Parses a DICOM date or date range ("20240101", "20240101-20240131", "-20240131",
// "20240101-"). Throws Error(kBadRequest).
DateRange parse_date_range(std::string_view value);

}  // namespace hareyaka::gateway::dicom
