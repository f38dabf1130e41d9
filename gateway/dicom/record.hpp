// What the index keeps of one stored instance: the patient/study/series/instance attributes
// that QIDO-RS matches and returns, decoded to UTF-8 from the instance's Specific Character
// Set (Japanese ISO 2022 IR 87 / IR 13 / IR 159, ISO_IR 192 and the rest via DCMTK's
// iconv-based conversion), plus where the file lives and how its pixels are encoded.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

class DcmDataset;

namespace hareyaka::gateway::dicom {

struct InstanceRecord {
  // Patient
  std::string patient_id;
  std::string issuer_of_patient_id;
  std::string patient_name;  // UTF-8, DICOM PN form ("Yamada^Tarou=山田^太郎=やまだ^たろう")
  std::string patient_birth_date;
  std::string patient_sex;
  // Study
  std::string study_uid;
  std::string study_date;  // YYYYMMDD (may be empty)
  std::string study_time;
  std::string study_description;
  std::string accession_number;
  std::string referring_physician;
  std::string study_id;
  // Series
  std::string series_uid;
  std::string modality;
  std::string series_description;
  std::string series_number;
  // Instance
  std::string sop_class_uid;
  std::string sop_uid;
  std::string instance_number;
  std::string transfer_syntax_uid;
  std::string specific_character_set;  // as found in the file (the index holds UTF-8)
  std::uint32_t rows = 0;
  std::uint32_t columns = 0;
  std::uint32_t frames = 0;  // 0: no pixel data
  std::string path;          // relative to the storage root
  std::uint64_t size_bytes = 0;
};

void to_json(nlohmann::json& j, const InstanceRecord& r);
void from_json(const nlohmann::json& j, InstanceRecord& r);

// A UID usable as a key and a path component: 1..64 chars of digits and single dots.
bool valid_uid(std::string_view uid);

// Reads the record's attributes from a dataset. Throws Error(kUnprocessable) with a reason
// when a required UID (SOP Class, SOP Instance, Study, Series) is missing or invalid, or the
// native pixel data is shorter than its Rows×Columns×Samples×Bits×Frames promise.
// transfer_syntax_uid: the syntax the file is (or will be) written in.
InstanceRecord extract_record(DcmDataset& dataset, std::string_view transfer_syntax_uid);

// Converts one string value of `dataset` (raw bytes in its Specific Character Set) to UTF-8.
// pn: the value is a person name (component groups reset ISO 2022 escape state).
std::string to_utf8(DcmDataset& dataset, std::string_view raw, bool pn);

}  // namespace hareyaka::gateway::dicom
