// A hosted pharmacy's dispensing records (issue #17): the JAHIS 電子版お薬手帳 files it uploads,
// kept as received (write-once, named by date and content digest) per patient under
// received/jahis/<patient id>/, read back through proto/jahis as dispensed MedicationOrders
// that the data API serves in "prescriptions", next to the hospitals' orders.
#pragma once

#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hareyaka::gateway::hosted {

class DispensingStore {
 public:
  explicit DispensingStore(std::string tenant_dir);
  // Keeps one file for a patient; false when the same bytes are already held.
  bool put(const std::string& patient_id, const std::string& first_date_iso,
           const std::string& bytes);
  // Every dispensed medication line of the patient as MedicationOrder JSON, newest first.
  std::vector<nlohmann::json> orders(const std::string& patient_id) const;

 private:
  std::vector<std::string> files_of(const std::string& patient_id) const;
  std::string root_;
};

}  // namespace hareyaka::gateway::hosted
