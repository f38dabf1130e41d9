#include "gateway/dicom/qido.hpp"

#include <algorithm>
#include <map>

#include "common/error.hpp"
#include "gateway/dicom/dicom_json.hpp"

namespace hareyaka::gateway::dicom {
namespace {

[[noreturn]] void bad(const std::string& message) {
  throw Error(ErrorCode::kBadRequest, message, message);
}

enum class Key {
  kStudyUid,
  kPatientId,
  kPatientName,
  kStudyDate,
  kModality,
  kAccession,
  kStudyId,
  kSeriesUid,
  kSeriesNumber,
  kSopUid,
  kSopClass,
  kInstanceNumber,
  kLimit,
  kOffset,
  kIgnored,
};

const std::map<std::string, Key, std::less<>>& keys() {
  static const std::map<std::string, Key, std::less<>> k = {
      {"StudyInstanceUID", Key::kStudyUid},
      {"0020000D", Key::kStudyUid},
      {"PatientID", Key::kPatientId},
      {"00100020", Key::kPatientId},
      {"PatientName", Key::kPatientName},
      {"00100010", Key::kPatientName},
      {"StudyDate", Key::kStudyDate},
      {"00080020", Key::kStudyDate},
      {"ModalitiesInStudy", Key::kModality},
      {"00080061", Key::kModality},
      {"Modality", Key::kModality},
      {"00080060", Key::kModality},
      {"AccessionNumber", Key::kAccession},
      {"00080050", Key::kAccession},
      {"StudyID", Key::kStudyId},
      {"00200010", Key::kStudyId},
      {"SeriesInstanceUID", Key::kSeriesUid},
      {"0020000E", Key::kSeriesUid},
      {"SeriesNumber", Key::kSeriesNumber},
      {"00200011", Key::kSeriesNumber},
      {"SOPInstanceUID", Key::kSopUid},
      {"00080018", Key::kSopUid},
      {"SOPClassUID", Key::kSopClass},
      {"00080016", Key::kSopClass},
      {"InstanceNumber", Key::kInstanceNumber},
      {"00200013", Key::kInstanceNumber},
      {"limit", Key::kLimit},
      {"offset", Key::kOffset},
      {"includefield", Key::kIgnored},
      {"fuzzymatching", Key::kIgnored},
  };
  return k;
}

bool valid_date(std::string_view d) {
  return d.size() == 8 &&
         std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A DICOM "universal match" (empty or "*") constrains nothing.
bool universal(const std::string& v) {
  return v.empty() || v == "*";
}

}  // namespace

DateRange parse_date_range(std::string_view value) {
  DateRange r;
  std::size_t dash = value.find('-');
  if (dash == std::string_view::npos) {
    r.from = r.to = std::string(value);
  } else {
    r.from = std::string(value.substr(0, dash));
    r.to = std::string(value.substr(dash + 1));
  }
  if ((!r.from.empty() && !valid_date(r.from)) || (!r.to.empty() && !valid_date(r.to)) ||
      (r.from.empty() && r.to.empty()))
    bad("StudyDate must be YYYYMMDD or a range YYYYMMDD-YYYYMMDD (either end may be open)");
  if (!r.from.empty() && !r.to.empty() && r.from > r.to)
    bad("StudyDate range ends before it starts");
  return r;
}

nlohmann::json qido_search(const DicomIndex& index, QidoLevel level, const std::string& study_uid,
                           const std::string& series_uid, const QueryParams& params,
                           const QidoOptions& options) {
  InstanceQuery q;  // holds the series and study criteria inside it
  SeriesQuery& sq = q.series;
  StudyQuery& st = sq.study;
  std::vector<std::string> modalities;
  std::size_t limit = options.default_limit, offset = 0;
  if (!study_uid.empty())
    st.study_uids = {study_uid};
  if (!series_uid.empty())
    sq.series_uids = {series_uid};

  for (const auto& [name, value] : params) {
    auto it = keys().find(name);
    if (it == keys().end())
      bad("unsupported query parameter '" + name + "'");
    switch (it->second) {
      case Key::kLimit:
        limit = parse_uint("limit", value, static_cast<std::uint32_t>(options.max_limit));
        break;
      case Key::kOffset:
        offset = parse_uint("offset", value, 1u << 30);
        break;
      case Key::kIgnored:
        break;
      default:
        if (universal(value))
          break;
        switch (it->second) {
          case Key::kStudyUid:
            if (!study_uid.empty())
              bad("StudyInstanceUID is already given in the path");
            st.study_uids = split_list(value);
            break;
          case Key::kPatientId:
            st.patient_id = value;
            break;
          case Key::kPatientName:
            st.patient_name = value;
            break;
          case Key::kStudyDate:
            st.study_date = parse_date_range(value);
            break;
          case Key::kModality:
            modalities = split_list(value);
            break;
          case Key::kAccession:
            st.accession_number = value;
            break;
          case Key::kStudyId:
            st.study_id = value;
            break;
          case Key::kSeriesUid:
            if (level == QidoLevel::kStudies)
              bad("SeriesInstanceUID is not a study-level key");
            if (!series_uid.empty())
              bad("SeriesInstanceUID is already given in the path");
            sq.series_uids = split_list(value);
            break;
          case Key::kSeriesNumber:
            if (level == QidoLevel::kStudies)
              bad("SeriesNumber is not a study-level key");
            sq.series_number = value;
            break;
          case Key::kSopUid:
            if (level != QidoLevel::kInstances)
              bad("SOPInstanceUID is an instance-level key");
            q.sop_uids = split_list(value);
            break;
          case Key::kSopClass:
            if (level != QidoLevel::kInstances)
              bad("SOPClassUID is an instance-level key");
            q.sop_class_uids = split_list(value);
            break;
          case Key::kInstanceNumber:
            if (level != QidoLevel::kInstances)
              bad("InstanceNumber is an instance-level key");
            q.instance_number = value;
            break;
          default:
            break;
        }
    }
  }

  nlohmann::json out = nlohmann::json::array();
  switch (level) {
    case QidoLevel::kStudies:
      st.modalities = modalities;  // ModalitiesInStudy: any series of the study
      st.offset = offset;
      st.limit = limit;
      for (const auto& s : index.find_studies(st))
        out.push_back(study_json(s, options.base_url));
      break;
    case QidoLevel::kSeries:
      sq.modalities = modalities;  // Modality of the series itself
      sq.offset = offset;
      sq.limit = limit;
      for (const auto& s : index.find_series(sq))
        out.push_back(series_json(s, options.base_url));
      break;
    case QidoLevel::kInstances:
      sq.modalities = modalities;
      q.offset = offset;
      q.limit = limit;
      for (const auto& r : index.find_instances(q))
        out.push_back(instance_json(r, options.base_url));
      break;
  }
  return out;
}

}  // namespace hareyaka::gateway::dicom
