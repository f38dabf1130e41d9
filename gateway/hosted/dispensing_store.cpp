#include "gateway/hosted/dispensing_store.hpp"

#include <algorithm>
#include <filesystem>

#include "common/digest.hpp"
#include "common/durable_file.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "proto/clinical/model.hpp"
#include "proto/jahis/notebook.hpp"
#include "proto/ssmix2/file_name.hpp"

namespace hareyaka::gateway::hosted {
namespace {

namespace fs = std::filesystem;

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
  return write_file_once(root_ + "/" + patient_id + "/" + name, bytes);
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
  return out;
}

}  // namespace hareyaka::gateway::hosted
