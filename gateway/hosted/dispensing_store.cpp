#include "gateway/hosted/dispensing_store.hpp"

#include <algorithm>
#include <filesystem>

#include "common/digest.hpp"
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

std::string compact(const std::string& iso) {
  std::string out;
  for (char c : iso) {
    if (c != '-')
      out += c;
  }
  return out.empty() ? "-" : out;
}

}  // namespace

DispensingStore::DispensingStore(std::string tenant_dir)
    : root_(std::move(tenant_dir) + "/received/jahis") {}

bool DispensingStore::put(const std::string& patient_id, const std::string& first_date_iso,
                          const std::string& bytes) {
  if (!ssmix2::valid_patient_id(patient_id))
    throw Error(ErrorCode::kUnprocessable, "the patient id must be letters and digits");
  const std::string name = compact(first_date_iso) + "_" + sha256_hex(bytes).substr(0, 32) + ".csv";
  const bool added = write_file_once(root_ + "/" + patient_id + "/" + name, bytes);
  std::lock_guard lock(mu_);
  cache_.erase(patient_id);
  ++generation_;
  return added;
}

std::vector<DispensingStore::HeldFile> DispensingStore::files(const std::string& patient_id) const {
  std::vector<HeldFile> out;
  for (const auto& path : files_of(patient_id)) {
    HeldFile f{.name = fs::path(path).filename().string()};
    if (f.name.size() > 8 && f.name[8] == '_')
      f.date = encoding::iso_date(std::string_view(f.name).substr(0, 8));
    std::error_code ec;
    f.bytes = fs::file_size(path, ec);
    out.push_back(std::move(f));
  }
  return out;
}

bool DispensingStore::withdraw(const std::string& patient_id, const std::string& name) {
  if (!ssmix2::valid_patient_id(patient_id) || name.find('/') != std::string::npos ||
      !name.ends_with(".csv") || name.starts_with("."))
    return false;
  const std::string dir = root_ + "/" + patient_id;
  std::error_code ec;
  if (!fs::is_regular_file(dir + "/" + name, ec))
    return false;
  fs::rename(dir + "/" + name, dir + "/" + name + ".withdrawn");
  sync_dir(dir);
  std::lock_guard lock(mu_);
  cache_.erase(patient_id);
  ++generation_;
  return true;
}

std::vector<std::string> DispensingStore::files_of(const std::string& patient_id) const {
  std::vector<std::string> out;
  if (!ssmix2::valid_patient_id(patient_id))
    return out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(root_ + "/" + patient_id, ec)) {
    const std::string n = e.path().filename().string();
    if (e.is_regular_file() && n.ends_with(".csv"))
      out.push_back(e.path().string());
  }
  std::sort(out.rbegin(), out.rend());  // newest date first
  return out;
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
  for (const auto& path : files_of(patient_id)) {
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
