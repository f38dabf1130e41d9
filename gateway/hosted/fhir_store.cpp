#include "gateway/hosted/fhir_store.hpp"

#include <algorithm>
#include <filesystem>

#include "common/digest.hpp"
#include "common/durable_file.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "proto/clinical/model.hpp"
#include "proto/encoding/dates.hpp"
#include "proto/fhir_in/fhir_in.hpp"
#include "proto/ssmix2/file_name.hpp"

namespace hareyaka::gateway::hosted {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kMediaType = "application/fhir+json";

std::string digest_of(const std::string& bytes) {
  return sha256_hex(bytes).substr(0, 32);
}

std::string compact(const std::string& iso) {
  std::string out;
  for (char c : iso.substr(0, 10)) {
    if (c >= '0' && c <= '9')
      out += c;
  }
  return out.size() == 8 ? out : "00000000";
}

// The digest part of "<date>_<digest>.json".
std::string digest_of_name(const std::string& name) {
  const auto us = name.find('_');
  const auto dot = name.rfind(".json");
  return us == std::string::npos || dot == std::string::npos || dot < us
             ? ""
             : name.substr(us + 1, dot - us - 1);
}

json dated(json j, const std::string& date) {
  j["date"] = date;
  return j;
}

}  // namespace

FhirStore::FhirStore(std::string tenant_dir) : root_(std::move(tenant_dir) + "/received/fhir") {}

std::vector<std::string> FhirStore::files_of(const std::string& patient_id) const {
  std::vector<std::string> out;
  if (!ssmix2::valid_patient_id(patient_id))
    return out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(root_ + "/" + patient_id, ec)) {
    const std::string n = e.path().filename().string();
    if (e.is_regular_file() && n.ends_with(".json") && !digest_of_name(n).empty())
      out.push_back(e.path().string());
  }
  std::sort(out.rbegin(), out.rend());  // newest date first
  return out;
}

bool FhirStore::holds(const std::string& patient_id, const std::string& bytes) const {
  const std::string digest = digest_of(bytes);
  for (const auto& path : files_of(patient_id)) {
    if (digest_of_name(fs::path(path).filename().string()) == digest)
      return true;
  }
  return false;
}

bool FhirStore::put(const std::string& patient_id, const std::string& date_iso,
                    const std::string& bytes) {
  if (!ssmix2::valid_patient_id(patient_id))
    throw Error(ErrorCode::kUnprocessable, "the patient id must be letters and digits");
  if (holds(patient_id, bytes))
    return false;
  const std::string name = compact(date_iso) + "_" + digest_of(bytes) + ".json";
  const bool written = write_file_once(root_ + "/" + patient_id + "/" + name, bytes);
  std::lock_guard lock(mu_);
  ++generation_;
  if (auto it = cache_.find(patient_id); it != cache_.end()) {
    recent_.erase(it->second.second);
    cache_.erase(it);
  }
  return written;
}

std::shared_ptr<const FhirStore::Items> FhirStore::load(const std::string& patient_id) const {
  std::uint64_t generation = 0;
  {
    std::lock_guard lock(mu_);
    if (auto it = cache_.find(patient_id); it != cache_.end()) {
      recent_.splice(recent_.begin(), recent_, it->second.second);
      return it->second.first;
    }
    generation = generation_;
  }
  auto items = std::make_shared<Items>();
  for (const auto& path : files_of(patient_id)) {
    const auto bytes = read_whole_file(path);
    if (!bytes)
      continue;
    const std::string name = fs::path(path).filename().string();
    try {
      const auto p = fhir_in::parse(*bytes, name);
      if (!p.ok()) {
        log::warn("FHIR file unreadable", {.component = "hosted", .file = path});
        continue;
      }
      auto& c = items->by_category;
      for (const auto& d : p.diagnoses)
        c["diagnoses"].push_back(dated(json(d), d.onset.empty() ? d.established : d.onset));
      for (const auto& a : p.allergies)
        c["allergies"].push_back(dated(json(a), a.onset));
      for (const auto& m : p.prescriptions)
        c["prescriptions"].push_back(json(m));
      for (const auto& l : p.lab_results)
        c["lab_results"].push_back(
            dated(json(l), l.collected_at.empty() ? l.reported_at : l.collected_at));
      if (p.document) {
        clinical::Document doc;
        doc.id = "fhir-" + digest_of_name(name);
        doc.type = p.document->type;
        doc.date = p.document->date.substr(0, 10);
        doc.file = name;
        doc.media_type = kMediaType;
        doc.size = bytes->size();
        doc.source.data_type = "FHIR Bundle";
        doc.source.file = name;
        json j(doc);
        j["title"] = p.document->title;
        c["documents"].push_back(std::move(j));
        items->document_paths[doc.id] = path;
      }
    } catch (const Error& e) {
      // Checked on arrival; unreadable now means the file was changed behind our back.
      log::warn("FHIR file unreadable",
                {.component = "hosted", .detail = e.external(), .file = path});
    }
  }
  for (auto& [category, list] : items->by_category) {
    std::stable_sort(list.begin(), list.end(), [](const json& a, const json& b) {
      return a.value("date", "") > b.value("date", "");
    });
  }
  std::lock_guard lock(mu_);
  if (generation != generation_)
    return items;  // an upload was stored meanwhile: this reading may miss it, keep it uncached
  if (auto it = cache_.find(patient_id); it != cache_.end())
    return it->second.first;  // another request loaded it meanwhile
  recent_.push_front(patient_id);
  cache_[patient_id] = {items, recent_.begin()};
  while (cache_.size() > kCachedPatients) {
    cache_.erase(recent_.back());
    recent_.pop_back();
  }
  return items;
}

std::vector<json> FhirStore::items(const std::string& patient_id, std::string_view category) const {
  if (!ssmix2::valid_patient_id(patient_id))
    return {};
  const auto items = load(patient_id);
  auto it = items->by_category.find(category);
  return it == items->by_category.end() ? std::vector<json>{} : it->second;
}

std::map<std::string, std::vector<std::uint32_t>> FhirStore::dates(
    const std::string& patient_id) const {
  std::map<std::string, std::vector<std::uint32_t>> out;
  if (!ssmix2::valid_patient_id(patient_id))
    return out;
  for (const auto& [category, list] : load(patient_id)->by_category) {
    for (const auto& j : list)
      out[category].push_back(encoding::compact_date(j.value("date", "")));
  }
  return out;
}

std::optional<record::DocumentFile> FhirStore::document(const std::string& patient_id,
                                                        const std::string& id) const {
  if (!ssmix2::valid_patient_id(patient_id) || id.rfind("fhir-", 0) != 0)
    return std::nullopt;
  const auto items = load(patient_id);
  auto it = items->document_paths.find(id);
  if (it == items->document_paths.end())
    return std::nullopt;
  std::error_code ec;
  const auto size = fs::file_size(it->second, ec);
  if (ec)
    return std::nullopt;
  return record::DocumentFile{.path = it->second, .media_type = kMediaType, .size = size};
}

std::uint64_t FhirStore::used_bytes() const {
  std::uint64_t n = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root_, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec))
      n += it->file_size(ec);
  }
  return n;
}

}  // namespace hareyaka::gateway::hosted
