// The web form of a facility without an EMR (a care facility, a visiting-nurse station; issue
// #17): its own staff register a patient and attach documents (PDF, JPEG, PNG) with a title,
// a category and a date. A registration is the ADT-00 an EMR would write (registration.hpp); a
// document goes to the tenant's SS-MIX2 extended storage, where the index lists it under
// "documents" like a hospital's:
//   <PID path>/<yyyymmdd>/<type folder of the category>/<content folder>/<title>.<ext>
// with the content folder named by the file-name rule
// (<pid>_<date>_<category code>_<order no>_<timestamp>_-_1). A correction is a new document of
// the same order number; the one it corrects gets condition flag 2 (its folder renamed, its
// file kept), which the index does not show. Everything is checked before anything is written.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gateway/hosted/registration.hpp"
#include "gateway/hosted/ssmix2_upload.hpp"
#include "gateway/storage/storage_index.hpp"

namespace hareyaka::gateway::hosted {

struct DocumentCategory {
  const char* key;   // what the form sends ("referral")
  const char* code;  // the local code, also the content folder's data type ("HYK-REF")
  const char* name;  // 診療情報提供書
  const char* loinc;
  const char* loinc_name;
};

// 診療情報提供書, 看護サマリー, 介護記録, 検査結果, 画像, その他.
const std::vector<DocumentCategory>& document_categories();
// "local code^name^99HYK^LOINC code^name^LN" (the standard part empty when there is none).
std::string type_folder(const DocumentCategory& c);

// Throws Error(kUnprocessable) naming the field: a patient id that is not letters and digits,
// no family name, a kana field with other than katakana, a sex other than M/F/U, a birth date
// that is not a past calendar date.
void check_registration(const Registration& r);

struct FormResult {
  std::string status;  // "stored", "unchanged"
  std::string path;    // relative to its storage root
  std::string document_id;
};

// The ADT-00 that registers or updates a patient (`changed`), or the newest one held when it
// has these very demographics (a registration sent twice is not a second file). `r` is not
// checked here.
struct RegistrationFile {
  bool changed = false;
  StandardFile file;
};
RegistrationFile registration_file(const storage::StorageIndex& index, const Registration& r,
                                   const std::string& facility_oid);
// Registers or updates a patient: a new ADT-00 when the demographics differ from the newest one
// held, "unchanged" when they are the same. `placed`: the standard paths written.
FormResult register_patient(Ssmix2Store& store, const storage::StorageIndex& index,
                            const Registration& r, const std::string& facility_oid,
                            std::vector<std::string>& placed);

struct DocumentForm {
  std::string patient_id;
  std::string title;
  std::string category;  // a key of document_categories()
  std::string date;      // YYYY-MM-DD
  std::string media_type;
  std::string supersedes;  // a document id of this patient, or empty
};

inline constexpr std::size_t kMaxDocumentBytes = 32u << 20;

// Checks and stores one document; throws Error with a message for the form (kUnprocessable for
// a bad field or content that is not what its type says, kNotFound for an unknown patient or
// superseded document, kUnsupportedMediaType, kPayloadTooLarge). `placed`: the extended paths
// written or renamed (each to refresh in the index).
FormResult store_document(Ssmix2Store& store, const storage::StorageIndex& index,
                          const DocumentForm& form, std::string_view bytes,
                          std::vector<std::string>& placed);

// Withdraws one of the patient's current documents: its content folder gets condition flag 0
// (the file kept, no longer shown). Throws Error(kNotFound) for a document that is not a
// current one of the patient. `placed`: the extended paths renamed.
FormResult withdraw_document(Ssmix2Store& store, const storage::StorageIndex& index,
                             const std::string& patient_id, const std::string& document_id,
                             std::vector<std::string>& placed);

}  // namespace hareyaka::gateway::hosted
