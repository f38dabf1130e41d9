#include "gateway/hosted/fhir_store.hpp"

#include <algorithm>
#include <filesystem>

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

json dated(json j, const std::string& date) {
  j["date"] = date;
  return j;
}

}  // namespace

FhirStore::FhirStore(std::string tenant_dir)
    : folder_(std::move(tenant_dir) + "/received/fhir", ".json") {}

void FhirStore::forget(const std::string& patient_id) {
  std::lock_guard lock(mu_);
  ++generation_;
  if (auto it = cache_.find(patient_id); it != cache_.end()) {
    recent_.erase(it->second.second);
    cache_.erase(it);
  }
}

bool FhirStore::put(const std::string& patient_id, const std::string& date_iso,
                    const std::string& bytes) {
  const bool written = folder_.put(patient_id, date_iso, bytes);
  forget(patient_id);
  return written;
}

bool FhirStore::withdraw(const std::string& patient_id, const std::string& name) {
  const bool withdrawn = folder_.withdraw(patient_id, name);
  forget(patient_id);
  return withdrawn;
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
  for (const auto& path : folder_.paths(patient_id)) {
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
        doc.id = "fhir-" + folder_.digest_of_name(name);
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

}  // namespace hareyaka::gateway::hosted
