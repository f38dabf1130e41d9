// A hosted pharmacy's dispensing records (issue #17): the JAHIS 電子版お薬手帳 files it uploads,
// kept as received (write-once, named by date and content digest) per patient under
// received/jahis/<patient id>/, read back through proto/jahis as dispensed MedicationOrders
// that the data API serves in "prescriptions", next to the hospitals' orders.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
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
  struct HeldFile {
    std::string name;  // "<yyyymmdd>_<digest>.csv"
    std::string date;  // ISO, the file's first dispensing
    std::uint64_t bytes = 0;
  };
  // The patient's files in force, newest first.
  std::vector<HeldFile> files(const std::string& patient_id) const;
  // Withdraws one file: kept, renamed "<name>.withdrawn", no longer read. False when the
  // patient holds no such file.
  bool withdraw(const std::string& patient_id, const std::string& name);
  // Every dispensed medication line of the patient as MedicationOrder JSON, newest first.
  // Kept parsed for the patients last asked for (a view and the locator both ask).
  std::vector<nlohmann::json> orders(const std::string& patient_id) const;

 private:
  using Orders = std::shared_ptr<const std::vector<nlohmann::json>>;
  std::vector<std::string> files_of(const std::string& patient_id) const;
  Orders parse_orders(const std::string& patient_id) const;

  std::string root_;
  mutable std::mutex mu_;                        // guards cache_
  mutable std::map<std::string, Orders> cache_;  // patient id -> parsed orders
  std::uint64_t generation_ = 0;                 // counts puts: a parse older than one is not kept
};

}  // namespace hareyaka::gateway::hosted
