#include "gateway/dicom/record.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcelem.h>
#include <dcmtk/dcmdata/dcxfer.h>

#include <string>

#include "common/error.hpp"
#include "gateway/dicom/charset.hpp"
#include "gateway/dicom/condition.hpp"

namespace hareyaka::gateway::dicom {
namespace {

// Converts the strings of one dataset to UTF-8 (see charset.hpp for why not DCMTK alone).
class Utf8Converter {
 public:
  explicit Utf8Converter(DcmDataset& ds) : decoder_(charset_of(ds)) {}
  std::string convert(const OFString& raw, bool pn) {
    return decoder_.to_utf8(std::string_view(raw.c_str(), raw.length()), pn);
  }

 private:
  static std::string charset_of(DcmDataset& ds) {
    OFString charset;
    ds.findAndGetOFStringArray(DCM_SpecificCharacterSet, charset);
    return charset.c_str();
  }
  TextDecoder decoder_;
};

// A value of an ASCII-only VR (CS, DA, TM, IS, ...): a file may still carry other bytes,
// which become U+FFFD so that the index and the JSON answers stay valid UTF-8.
std::string get(DcmDataset& ds, const DcmTagKey& tag) {
  OFString v;
  if (ds.findAndGetOFStringArray(tag, v).bad())
    return {};
  static const TextDecoder kAscii("");  // identity decoding, only validates: no state
  return kAscii.to_utf8(std::string_view(v.c_str(), v.length()), false);
}

std::string get_text(DcmDataset& ds, Utf8Converter& conv, const DcmTagKey& tag, bool pn) {
  OFString v;
  if (ds.findAndGetOFStringArray(tag, v).bad())
    return {};
  return conv.convert(v, pn);
}

std::uint32_t get_uint(DcmDataset& ds, const DcmTagKey& tag) {
  Uint16 u16 = 0;
  if (ds.findAndGetUint16(tag, u16).good())
    return u16;
  Sint32 s32 = 0;  // NumberOfFrames is IS
  if (ds.findAndGetSint32(tag, s32).good() && s32 > 0)
    return static_cast<std::uint32_t>(s32);
  return 0;
}

[[noreturn]] void refuse(const std::string& reason) {
  throw Error(ErrorCode::kUnprocessable, reason, reason);
}

std::string required_uid(DcmDataset& ds, const DcmTagKey& tag, const char* name) {
  std::string uid = get(ds, tag);
  if (uid.empty())
    refuse(std::string("missing ") + name);
  if (!valid_uid(uid))
    refuse(std::string("invalid ") + name + " (not a DICOM UID)");
  return uid;
}

void check_native_pixel_length(DcmDataset& ds, const InstanceRecord& r,
                               std::string_view transfer_syntax_uid) {
  DcmElement* pixels = nullptr;
  if (ds.findAndGetElement(DCM_PixelData, pixels).bad() || pixels == nullptr)
    return;
  DcmXfer xfer(std::string(transfer_syntax_uid).c_str());
  if (xfer.isEncapsulated())
    return;  // fragments: the codec checks them when decoding
  Uint16 bits = 0, samples = 1;
  ds.findAndGetUint16(DCM_BitsAllocated, bits);
  ds.findAndGetUint16(DCM_SamplesPerPixel, samples);
  if (bits == 0 || r.rows == 0 || r.columns == 0)
    refuse("pixel data without Rows, Columns or Bits Allocated");
  std::uint64_t frames = r.frames == 0 ? 1 : r.frames;
  std::uint64_t bits_total = std::uint64_t{r.rows} * r.columns * samples * bits * frames;
  std::uint64_t expected = (bits_total + 7) / 8;
  // Native YBR 4:2:2 / 4:2:0 carry chroma for every second pixel (pair) only.
  OFString photometric;
  ds.findAndGetOFString(DCM_PhotometricInterpretation, photometric);
  std::string pi = photometric.c_str();
  if (pi.find("_422") != std::string::npos)
    expected = expected * 2 / 3;
  if (pi.find("_420") != std::string::npos)
    expected = expected / 2;
  if (pixels->getLength() < expected) {
    refuse("pixel data holds " + std::to_string(pixels->getLength()) + " bytes, Rows×Columns×" +
           "Samples×Bits×Frames needs " + std::to_string(expected));
  }
}

}  // namespace

bool valid_uid(std::string_view uid) {
  if (uid.empty() || uid.size() > 64 || uid.front() == '.' || uid.back() == '.')
    return false;
  char prev = 0;
  for (char c : uid) {
    if (c == '.') {
      if (prev == '.')
        return false;
    } else if (c < '0' || c > '9') {
      return false;
    }
    prev = c;
  }
  return true;
}

std::string to_utf8(DcmDataset& dataset, std::string_view raw, bool pn) {
  Utf8Converter conv(dataset);
  return conv.convert(OFString(raw.data(), raw.size()), pn);
}

InstanceRecord extract_record(DcmDataset& ds, std::string_view transfer_syntax_uid) {
  InstanceRecord r;
  r.sop_class_uid = required_uid(ds, DCM_SOPClassUID, "SOP Class UID (0008,0016)");
  r.sop_uid = required_uid(ds, DCM_SOPInstanceUID, "SOP Instance UID (0008,0018)");
  r.study_uid = required_uid(ds, DCM_StudyInstanceUID, "Study Instance UID (0020,000D)");
  r.series_uid = required_uid(ds, DCM_SeriesInstanceUID, "Series Instance UID (0020,000E)");
  Utf8Converter conv(ds);
  r.specific_character_set = get(ds, DCM_SpecificCharacterSet);
  r.patient_id = get_text(ds, conv, DCM_PatientID, false);
  r.issuer_of_patient_id = get_text(ds, conv, DCM_IssuerOfPatientID, false);
  r.patient_name = get_text(ds, conv, DCM_PatientName, true);
  r.patient_birth_date = get(ds, DCM_PatientBirthDate);
  r.patient_sex = get(ds, DCM_PatientSex);
  r.study_date = get(ds, DCM_StudyDate);
  r.study_time = get(ds, DCM_StudyTime);
  r.study_description = get_text(ds, conv, DCM_StudyDescription, false);
  r.accession_number = get_text(ds, conv, DCM_AccessionNumber, false);
  r.referring_physician = get_text(ds, conv, DCM_ReferringPhysicianName, true);
  r.study_id = get_text(ds, conv, DCM_StudyID, false);
  r.modality = get(ds, DCM_Modality);
  r.series_description = get_text(ds, conv, DCM_SeriesDescription, false);
  r.series_number = get(ds, DCM_SeriesNumber);
  r.instance_number = get(ds, DCM_InstanceNumber);
  r.transfer_syntax_uid = std::string(transfer_syntax_uid);
  r.rows = get_uint(ds, DCM_Rows);
  r.columns = get_uint(ds, DCM_Columns);
  if (ds.tagExists(DCM_PixelData)) {
    r.frames = get_uint(ds, DCM_NumberOfFrames);
    if (r.frames == 0)
      r.frames = 1;
  }
  check_native_pixel_length(ds, r, transfer_syntax_uid);
  return r;
}

#define HAREYAKA_RECORD_FIELDS(X)                                                            \
  X(patient_id)                                                                              \
  X(issuer_of_patient_id)                                                                    \
  X(patient_name)                                                                            \
  X(patient_birth_date)                                                                      \
  X(patient_sex)                                                                             \
  X(study_uid)                                                                               \
  X(study_date)                                                                              \
  X(study_time)                                                                              \
  X(study_description)                                                                       \
  X(accession_number)                                                                        \
  X(referring_physician) X(study_id) X(series_uid) X(modality) X(series_description)         \
      X(series_number) X(sop_class_uid) X(sop_uid) X(instance_number) X(transfer_syntax_uid) \
          X(specific_character_set) X(rows) X(columns) X(frames) X(path) X(size_bytes)

void to_json(nlohmann::json& j, const InstanceRecord& r) {
  j = nlohmann::json::object();
#define X(f) j[#f] = r.f;
  HAREYAKA_RECORD_FIELDS(X)
#undef X
}

void from_json(const nlohmann::json& j, InstanceRecord& r) {
#define X(f)                               \
  if (auto it = j.find(#f); it != j.end()) \
    it->get_to(r.f);
  HAREYAKA_RECORD_FIELDS(X)
#undef X
}

}  // namespace hareyaka::gateway::dicom
