// A hosted facility's FHIR uploads (issue #17): each accepted body kept as received
// (write-once, named by date and content digest: <yyyymmdd>_<sha256/32>.json) per patient under
// received/fhir/<patient id>/, read back through proto/fhir_in into the data API's items:
// diagnoses, allergies, prescriptions, lab_results, and a JP-CLINS document Bundle as a
// Document of "documents" (id "fhir-<digest>", media type application/fhir+json), streamed by
// the document route. The items of a patient are kept in memory (the most recent
// kCachedPatients patients), dropped when an upload for the patient is stored.
#pragma once

#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/hosted/received_folder.hpp"
#include "gateway/record/record_query.hpp"

namespace hareyaka::gateway::hosted {

class FhirStore {
 public:
  static constexpr std::size_t kCachedPatients = 64;

  explicit FhirStore(std::string tenant_dir);
  const std::string& root() const { return folder_.root(); }
  // True when these bytes are already held for the patient (under any date).
  bool holds(const std::string& patient_id, const std::string& bytes) const {
    return folder_.holds(patient_id, bytes);
  }
  // Keeps one upload; false when the same bytes are already held. `date_iso`: the document's
  // date, or the day of arrival. Throws Error(kUnprocessable) for a patient id that is not
  // letters and digits.
  bool put(const std::string& patient_id, const std::string& date_iso, const std::string& bytes);
  // The patient's items of a category (model JSON, each with its "date"), newest first.
  std::vector<nlohmann::json> items(const std::string& patient_id, std::string_view category) const;
  // The dates of the patient's items per category, for the portal's locator.
  std::map<std::string, std::vector<std::uint32_t>> dates(const std::string& patient_id) const;
  // A stored document Bundle by its Document id ("fhir-<digest>").
  std::optional<record::DocumentFile> document(const std::string& patient_id,
                                               const std::string& id) const;
  // The patient's uploads in force ("<yyyymmdd>_<digest>.json"), newest first.
  std::vector<ReceivedFolder::HeldFile> files(const std::string& patient_id) const {
    return folder_.files(patient_id);
  }
  // Withdraws one upload: kept, renamed "<name>.withdrawn", its items no longer served. False
  // when the patient holds no such upload.
  bool withdraw(const std::string& patient_id, const std::string& name);
  // The bytes held under received/fhir (the tenant's quota counts them).
  std::uint64_t used_bytes() const { return folder_.used_bytes(); }

 private:
  struct Items {
    std::map<std::string, std::vector<nlohmann::json>, std::less<>> by_category;
    std::map<std::string, std::string> document_paths;  // id -> absolute path
  };
  std::shared_ptr<const Items> load(const std::string& patient_id) const;
  void forget(const std::string& patient_id);

  ReceivedFolder folder_;
  mutable std::mutex mu_;
  mutable std::list<std::string> recent_;  // most recent first
  mutable std::map<std::string,
                   std::pair<std::shared_ptr<const Items>, std::list<std::string>::iterator>>
      cache_;
  // Bumped by every put and withdrawal: a load that began before it does not cache what it read.
  mutable std::uint64_t generation_ = 0;
};

}  // namespace hareyaka::gateway::hosted
