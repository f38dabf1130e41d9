#include "preserve/store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "common/content_store.hpp"
#include "common/digest.hpp"
#include "common/durable_file.hpp"
#include "common/error.hpp"
#include "proto/preserve/manifest.hpp"

namespace hareyaka::preserve {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> generations_in(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.size() == 27 && name.ends_with(".json") && is_generation(name.substr(0, 22)))
      out.push_back(name.substr(0, 22));
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The objects the manifests under <facility dir>/patients name; `unreadable` when one cannot
// be read (its objects are then unknown).
std::set<std::string> referenced_objects(const std::string& dir, bool& unreadable) {
  std::set<std::string> referenced;
  std::error_code ec;
  for (const auto& p : fs::directory_iterator(dir + "/patients", ec)) {
    for (const auto& g : generations_in(p.path().string())) {
      auto text = read_whole_file((p.path() / (g + ".json")).string());
      auto parsed = text ? parse_manifest(*text) : ManifestParse{};
      if (!parsed.manifest) {
        unreadable = true;
        continue;
      }
      referenced.insert(parsed.manifest->objects.begin(), parsed.manifest->objects.end());
    }
  }
  return referenced;
}

}  // namespace

PreservationStore::PreservationStore(std::string root) : root_(std::move(root)) {
  fs::create_directories(root_);
}

std::string PreservationStore::facility_dir(const std::string& facility) const {
  if (!is_oid(facility))
    throw Error(ErrorCode::kBadRequest, "facility is not an OID");
  return root_ + "/" + facility;
}

std::mutex& PreservationStore::facility_lock(const std::string& facility) {
  std::lock_guard lock(locks_mutex_);
  return locks_[facility];
}

ContentStore PreservationStore::objects_of(const std::string& facility) const {
  return ContentStore(facility_dir(facility) + "/objects");
}

bool PreservationStore::put_object(const std::string& facility, const std::string& sha256,
                                   const std::string& blob) {
  return objects_of(facility).put_named(sha256, blob);
}

std::optional<std::string> PreservationStore::object(const std::string& facility,
                                                     const std::string& sha256) const {
  return objects_of(facility).get(sha256);
}

std::vector<std::string> PreservationStore::missing(const std::string& facility,
                                                    const std::vector<std::string>& objects) const {
  const ContentStore store = objects_of(facility);
  std::vector<std::string> out;
  for (const auto& o : objects) {
    if (!store.has(o))
      out.push_back(o);
  }
  return out;
}

PreservationStore::Accepted PreservationStore::put_manifest(const std::string& facility,
                                                            const std::string& patient,
                                                            const std::string& generation,
                                                            const std::string& text) {
  auto parsed = parse_manifest(text);
  if (!parsed.manifest)
    throw Error(ErrorCode::kBadRequest, parsed.error);
  const Manifest& m = *parsed.manifest;
  if (m.facility != facility || m.patient != patient || m.generation != generation)
    throw Error(ErrorCode::kBadRequest, "manifest is for another facility, patient or generation");
  if (auto gone = missing(facility, m.objects); !gone.empty()) {
    throw Error(ErrorCode::kConflict,
                "manifest names " + std::to_string(gone.size()) + " objects not held");
  }
  std::lock_guard lock(facility_lock(facility));
  const std::string dir = facility_dir(facility) + "/patients/" + patient;
  const auto held = generations_in(dir);
  if (!held.empty()) {
    auto newest = manifest(facility, patient, held.back());
    auto previous = newest ? parse_manifest(*newest) : ManifestParse{};
    if (previous.manifest && previous.manifest->objects == m.objects &&
        previous.manifest->index == m.index)
      return {held.back(), false};  // a resend of what is held
  }
  if (!write_file_once(dir + "/" + generation + ".json", text, 0400)) {
    auto existing = manifest(facility, patient, generation);
    if (existing && *existing == text)
      return {generation, false};
    throw Error(ErrorCode::kConflict, "another manifest holds this generation");
  }
  return {generation, true};
}

std::optional<std::string> PreservationStore::manifest(const std::string& facility,
                                                       const std::string& patient,
                                                       const std::string& generation) const {
  if (!is_sha256_hex(patient) || !is_generation(generation))
    throw Error(ErrorCode::kBadRequest, "not a patient reference and generation");
  return read_whole_file(facility_dir(facility) + "/patients/" + patient + "/" + generation +
                         ".json");
}

std::vector<StoredPatient> PreservationStore::patients(const std::string& facility,
                                                       const std::string& after,
                                                       std::size_t limit) const {
  std::set<std::string> refs;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(facility_dir(facility) + "/patients", ec)) {
    const std::string name = e.path().filename().string();
    if (is_sha256_hex(name) && name > after)
      refs.insert(name);
  }
  std::vector<StoredPatient> out;
  for (const auto& r : refs) {
    if (out.size() >= limit)
      break;
    auto gens = generations_in(facility_dir(facility) + "/patients/" + r);
    if (!gens.empty())
      out.push_back({r, std::move(gens)});
  }
  return out;
}

StoreStats PreservationStore::stats(const std::string& facility) const {
  StoreStats s;
  std::error_code ec;
  const std::string dir = facility_dir(facility);
  for (const auto& p : fs::directory_iterator(dir + "/patients", ec)) {
    ++s.patients;
    s.generations += static_cast<std::int64_t>(generations_in(p.path().string()).size());
  }
  for (const auto& e : fs::recursive_directory_iterator(dir + "/objects", ec)) {
    if (e.is_regular_file(ec)) {
      ++s.objects;
      s.bytes += static_cast<std::int64_t>(e.file_size(ec));
    }
  }
  return s;
}

SweepReport PreservationStore::sweep(const std::string& facility, const Retention& rule,
                                     std::chrono::system_clock::time_point now) {
  SweepReport r;
  std::lock_guard lock(facility_lock(facility));
  const std::string dir = facility_dir(facility);
  const auto now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const auto keep_ms = std::chrono::duration_cast<std::chrono::milliseconds>(rule.keep).count();
  std::error_code ec;
  for (const auto& p : fs::directory_iterator(dir + "/patients", ec)) {
    auto gens = generations_in(p.path().string());
    for (std::size_t i = 0; i < gens.size(); ++i) {
      const bool among_newest = gens.size() - i <= rule.keep_at_least;
      if (!among_newest && now_ms - generation_time_ms(gens[i]) > keep_ms) {
        fs::remove(p.path() / (gens[i] + ".json"), ec);
        ++r.generations_expired;
      }
    }
  }
  bool unreadable = false;  // a manifest's objects unknown: none is deleted this time
  const std::set<std::string> referenced = referenced_objects(dir, unreadable);
  const auto grace = std::filesystem::file_time_type::clock::now() - rule.orphan_grace;
  std::vector<fs::path> orphans;
  for (const auto& e : fs::recursive_directory_iterator(dir + "/objects", ec)) {
    if (!e.is_regular_file(ec))
      continue;
    const std::string name = e.path().filename().string();
    if (unreadable || referenced.contains(name) || e.last_write_time(ec) > grace ||
        name.starts_with(".tmp-")) {
      ++r.objects_kept;
      continue;
    }
    orphans.push_back(e.path());
  }
  for (const auto& path : orphans) {
    fs::remove(path, ec);
    ++r.objects_deleted;
  }
  return r;
}

PurgeReport PreservationStore::purge(const std::string& facility, const std::string& patient) {
  if (!is_sha256_hex(patient))
    throw Error(ErrorCode::kBadRequest, "not a patient reference");
  PurgeReport r;
  std::lock_guard lock(facility_lock(facility));
  const std::string dir = facility_dir(facility);
  const std::string pdir = dir + "/patients/" + patient;
  std::set<std::string> named;  // the objects of the patient's generations
  for (const auto& g : generations_in(pdir)) {
    auto text = read_whole_file(pdir + "/" + g + ".json");
    auto parsed = text ? parse_manifest(*text) : ManifestParse{};
    if (parsed.manifest)
      named.insert(parsed.manifest->objects.begin(), parsed.manifest->objects.end());
    ++r.generations_removed;
  }
  std::error_code ec;
  fs::remove_all(pdir, ec);
  if (ec)
    throw Error(ErrorCode::kUnavailable, "storage unavailable", "cannot remove " + pdir);
  sync_dir(dir + "/patients");
  // At once, not after the orphans' grace: these objects are known to be the patient's. One
  // that another manifest also names stays (equal files seal to equal objects).
  bool unreadable = false;
  const std::set<std::string> referenced = referenced_objects(dir, unreadable);
  for (const auto& o : named) {
    if (unreadable || referenced.contains(o)) {
      ++r.objects_kept;
      continue;
    }
    if (objects_of(facility).remove(o))
      ++r.objects_removed;
  }
  return r;
}

}  // namespace hareyaka::preserve
