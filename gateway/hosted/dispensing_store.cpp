#include "gateway/hosted/dispensing_store.hpp"

#include <algorithm>
#include <filesystem>

#include "common/durable_file.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "proto/clinical/model.hpp"
#include "proto/encoding/dates.hpp"
#include "proto/jahis/notebook.hpp"
#include "proto/ssmix2/file_name.hpp"

namespace hareyaka::gateway::hosted {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kCachedPatients = 256;

}  // namespace

DispensingStore::DispensingStore(std::string tenant_dir)
    : folder_(std::move(tenant_dir) + "/received/jahis", ".csv") {}

void DispensingStore::forget(const std::string& patient_id) {
  std::lock_guard lock(mu_);
  cache_.erase(patient_id);
  ++generation_;
}

bool DispensingStore::put(const std::string& patient_id, const std::string& first_date_iso,
                          const std::string& bytes) {
  const bool added = folder_.put(patient_id, first_date_iso, bytes);
  forget(patient_id);
  return added;
}

bool DispensingStore::withdraw(const std::string& patient_id, const std::string& name) {
  const bool withdrawn = folder_.withdraw(patient_id, name);
  forget(patient_id);
  return withdrawn;
}

std::vector<nlohmann::json> DispensingStore::orders(const std::string& patient_id) const {
  {
    std::lock_guard lock(mu_);
    if (auto it = cache_.find(patient_id); it != cache_.end())
      return *it->second;
  }
  std::uint64_t generation = 0;
  {
    std::lock_guard lock(mu_);
    generation = generation_;
  }
  Orders parsed = parse_orders(patient_id);
  std::lock_guard lock(mu_);
  if (generation != generation_)
    return *parsed;  // a put came in meanwhile: this parse may miss its file
  if (cache_.size() >= kCachedPatients)
    cache_.clear();  // a pharmacy's few busy patients come back at once
  cache_.emplace(patient_id, parsed);
  return *parsed;
}

DispensingStore::Orders DispensingStore::parse_orders(const std::string& patient_id) const {
  std::vector<nlohmann::json> out;
  for (const auto& path : folder_.paths(patient_id)) {
    const auto bytes = read_whole_file(path);
    if (!bytes)
      continue;
    try {
      const auto notebook = jahis::parse_notebook(*bytes);
      for (const auto& o :
           jahis::to_medication_orders(notebook, fs::path(path).filename().string()))
        out.push_back(nlohmann::json(o));
    } catch (const Error& e) {
      // Checked on arrival; unreadable now means the file was changed behind our back.
      log::warn("dispensing file unreadable",
                {.component = "hosted", .detail = e.external(), .file = path});
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.value("date", "") > b.value("date", "");
  });
  return std::make_shared<const std::vector<nlohmann::json>>(std::move(out));
}

}  // namespace hareyaka::gateway::hosted
