// The DICOM JSON Model (PS3.18 F.2) as nlohmann::json: whole datasets for WADO-RS metadata
// (via DCMTK's writer, after converting the text to UTF-8) and the attribute sets QIDO-RS
// returns for studies, series and instances (built from the index).
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "gateway/dicom/index.hpp"

namespace hareyaka::gateway::dicom {

// The dataset of a stored file as one DICOM JSON object, text in UTF-8. Pixel data is not
// inlined: it becomes a BulkDataURI (pixel_data_uri) when one is given, else it is left
// out. Throws Error(kNotFound) when the file is unreadable, kUnprocessable when its values
// cannot be expressed as JSON.
nlohmann::json file_to_json(const std::filesystem::path& file,
                            const std::string& pixel_data_uri = {});

// Adds one attribute in DICOM JSON form: tag "00100010", vr "PN", value in DICOM string
// form (multi-values separated by '\\', PN groups by '='). Empty value: present, no Value.
void put_attribute(nlohmann::json& object, std::string_view tag, std::string_view vr,
                   std::string_view value);

// QIDO-RS result objects. base_url ("https://gw/dicomweb"): when not empty, Retrieve URL
// (0008,1190) is added.
nlohmann::json study_json(const StudySummary& study, const std::string& base_url = {});
nlohmann::json series_json(const SeriesSummary& series, const std::string& base_url = {});
nlohmann::json instance_json(const InstanceRecord& instance, const std::string& base_url = {});

}  // namespace hareyaka::gateway::dicom
