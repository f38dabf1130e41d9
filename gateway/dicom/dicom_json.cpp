#include "gateway/dicom/dicom_json.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcjson.h>

#include <sstream>

#include "common/error.hpp"
#include "gateway/dicom/charset.hpp"
#include "gateway/dicom/condition.hpp"

namespace hareyaka::gateway::dicom {
namespace {

class BulkPixelFormat : public DcmJsonFormatCompact {
 public:
  explicit BulkPixelFormat(std::string uri) : DcmJsonFormatCompact(OFFalse), uri_(std::move(uri)) {}
  OFBool asBulkDataURI(const DcmTagKey& tag, OFString& uri) override {
    if (tag != DCM_PixelData && tag != DCM_FloatPixelData && tag != DCM_DoubleFloatPixelData)
      return OFFalse;
    uri = uri_.c_str();
    return OFTrue;
  }

 private:
  std::string uri_;
};

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    std::size_t i = s.find(sep, start);
    out.push_back(s.substr(start, i == std::string_view::npos ? i : i - start));
    if (i == std::string_view::npos)
      return out;
    start = i + 1;
  }
}

bool numeric_vr(std::string_view vr) {
  return vr == "IS" || vr == "DS" || vr == "US" || vr == "UL" || vr == "SS" || vr == "SL" ||
         vr == "FL" || vr == "FD";
}

}  // namespace

nlohmann::json file_to_json(const std::filesystem::path& file, const std::string& pixel_data_uri) {
  DcmFileFormat ff;
  OFCondition cond = ff.loadFile(file.c_str(), EXS_Unknown, EGL_noChange, 4096, ERM_autoDetect);
  if (cond.bad())
    throw condition_error(cond, "reading the stored DICOM file", ErrorCode::kNotFound);
  DcmDataset* ds = ff.getDataset();
  if (pixel_data_uri.empty()) {
    ds->findAndDeleteElement(DCM_PixelData);
    ds->findAndDeleteElement(DCM_FloatPixelData);
    ds->findAndDeleteElement(DCM_DoubleFloatPixelData);
  }
  // JSON is UTF-8 (charset.hpp: DCMTK alone cannot convert the Japanese ISO 2022 sets).
  dataset_to_utf8(*ds);
  std::ostringstream out;
  out << '{';  // DcmDataset::writeJson writes the members only
  BulkPixelFormat format(pixel_data_uri);
  check(ds->writeJson(out, format), "writing DICOM JSON", ErrorCode::kUnprocessable);
  out << '}';
  try {
    return nlohmann::json::parse(out.str());
  } catch (const nlohmann::json::exception&) {
    throw Error(ErrorCode::kUnprocessable,
                "this instance's attributes cannot be expressed as DICOM JSON");
  }
}

void put_attribute(nlohmann::json& object, std::string_view tag, std::string_view vr,
                   std::string_view value) {
  nlohmann::json attr = {{"vr", vr}};
  if (!value.empty()) {
    nlohmann::json values = nlohmann::json::array();
    for (std::string_view v : split(value, '\\')) {
      if (vr == "PN") {
        nlohmann::json pn = nlohmann::json::object();
        auto groups = split(v, '=');
        const char* names[] = {"Alphabetic", "Ideographic", "Phonetic"};
        for (std::size_t g = 0; g < groups.size() && g < 3; ++g)
          if (!groups[g].empty())
            pn[names[g]] = std::string(groups[g]);
        values.push_back(pn);
      } else if (numeric_vr(vr)) {
        try {
          values.push_back(nlohmann::json::parse(v));
        } catch (const nlohmann::json::exception&) {
          values.push_back(nullptr);  // an unreadable number is an empty value, not an error
        }
      } else {
        values.push_back(std::string(v));
      }
    }
    attr["Value"] = std::move(values);
  }
  object[std::string(tag)] = std::move(attr);
}

nlohmann::json study_json(const StudySummary& s, const std::string& base_url) {
  const InstanceRecord& h = s.head;
  nlohmann::json j = nlohmann::json::object();
  std::string modalities;
  for (const auto& m : s.modalities)
    modalities += (modalities.empty() ? "" : "\\") + m;
  put_attribute(j, "00080005", "CS", "ISO_IR 192");
  put_attribute(j, "00080020", "DA", h.study_date);
  put_attribute(j, "00080030", "TM", h.study_time);
  put_attribute(j, "00080050", "SH", h.accession_number);
  put_attribute(j, "00080061", "CS", modalities);
  put_attribute(j, "00080090", "PN", h.referring_physician);
  put_attribute(j, "00081030", "LO", h.study_description);
  put_attribute(j, "00100010", "PN", h.patient_name);
  put_attribute(j, "00100020", "LO", h.patient_id);
  put_attribute(j, "00100021", "LO", h.issuer_of_patient_id);
  put_attribute(j, "00100030", "DA", h.patient_birth_date);
  put_attribute(j, "00100040", "CS", h.patient_sex);
  put_attribute(j, "0020000D", "UI", h.study_uid);
  put_attribute(j, "00200010", "SH", h.study_id);
  put_attribute(j, "00201206", "IS", std::to_string(s.series_count));
  put_attribute(j, "00201208", "IS", std::to_string(s.instance_count));
  if (!base_url.empty())
    put_attribute(j, "00081190", "UR", base_url + "/studies/" + h.study_uid);
  return j;
}

nlohmann::json series_json(const SeriesSummary& s, const std::string& base_url) {
  const InstanceRecord& h = s.head;
  nlohmann::json j = nlohmann::json::object();
  put_attribute(j, "00080005", "CS", "ISO_IR 192");
  put_attribute(j, "00080060", "CS", h.modality);
  put_attribute(j, "0008103E", "LO", h.series_description);
  put_attribute(j, "0020000D", "UI", h.study_uid);
  put_attribute(j, "0020000E", "UI", h.series_uid);
  put_attribute(j, "00200011", "IS", h.series_number);
  put_attribute(j, "00201209", "IS", std::to_string(s.instance_count));
  if (!base_url.empty())
    put_attribute(j, "00081190", "UR",
                  base_url + "/studies/" + h.study_uid + "/series/" + h.series_uid);
  return j;
}

nlohmann::json instance_json(const InstanceRecord& r, const std::string& base_url) {
  nlohmann::json j = nlohmann::json::object();
  put_attribute(j, "00080005", "CS", "ISO_IR 192");
  put_attribute(j, "00080016", "UI", r.sop_class_uid);
  put_attribute(j, "00080018", "UI", r.sop_uid);
  put_attribute(j, "00080060", "CS", r.modality);
  put_attribute(j, "0020000D", "UI", r.study_uid);
  put_attribute(j, "0020000E", "UI", r.series_uid);
  put_attribute(j, "00200013", "IS", r.instance_number);
  put_attribute(j, "00280008", "IS", r.frames ? std::to_string(r.frames) : std::string());
  put_attribute(j, "00280010", "US", r.rows ? std::to_string(r.rows) : std::string());
  put_attribute(j, "00280011", "US", r.columns ? std::to_string(r.columns) : std::string());
  put_attribute(j, "00083002", "UI", r.transfer_syntax_uid);  // Available Transfer Syntax UID
  if (!base_url.empty())
    put_attribute(j, "00081190", "UR",
                  base_url + "/studies/" + r.study_uid + "/series/" + r.series_uid + "/instances/" +
                      r.sop_uid);
  return j;
}

}  // namespace hareyaka::gateway::dicom
