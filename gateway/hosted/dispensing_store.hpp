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

#include "gateway/hosted/received_folder.hpp"

namespace hareyaka::gateway::hosted {

class DispensingStore {
 public:
  explicit DispensingStore(std::string tenant_dir);
  // Keeps one file for a patient; false when the same bytes are already held.
  bool put(const std::string& patient_id, const std::string& first_date_iso,
           const std::string& bytes);
  using HeldFile = ReceivedFolder::HeldFile;  // date: the file's first dispensing
  // The patient's files in force, newest first.
  std::vector<HeldFile> files(const std::string& patient_id) const {
    return folder_.files(patient_id);
  }
  // Withdraws one file: kept, renamed "<name>.withdrawn", no longer read. False when the
  // patient holds no such file.
  bool withdraw(const std::string& patient_id, const std::string& name);
  // Every dispensed medication line of the patient as MedicationOrder JSON, newest first.
  // Kept parsed for the patients last asked for (a view and the locator both ask).
  std::vector<nlohmann::json> orders(const std::string& patient_id) const;

 private:
  using Orders = std::shared_ptr<const std::vector<nlohmann::json>>;
  Orders parse_orders(const std::string& patient_id) const;
  void forget(const std::string& patient_id);

  ReceivedFolder folder_;
  mutable std::mutex mu_;                        // guards cache_
  mutable std::map<std::string, Orders> cache_;  // patient id -> parsed orders
  std::uint64_t generation_ = 0;                 // counts puts: a parse older than one is not kept
};

}  // namespace hareyaka::gateway::hosted
