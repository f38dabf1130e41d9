// The preservation node's store (issue #20): per facility, encrypted objects named by their
// SHA-256 and per patient reference the signed manifests of its generations, as files:
//   <root>/<facility>/objects/<2 hex>/<64 hex>
//   <root>/<facility>/patients/<reference>/<generation>.json
// Nothing is ever rewritten: a file is written to a temporary name, fsynced, and linked to its
// final name only if that name is free (link(2) fails on an existing one), then made
// read-only. A manifest is accepted only when every object it lists is held, so a generation
// is whole or absent. The node cannot read what it keeps (it holds no key); it can only keep
// it whole, and expire old generations by the retention rule.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/content_store.hpp"

namespace hareyaka::preserve {

struct Retention {
  std::chrono::hours keep{24 * 90};     // generations younger than this are kept
  std::size_t keep_at_least = 3;        // newest generations per patient kept regardless of age
  std::chrono::hours orphan_grace{24};  // objects no manifest names are deleted after this
};

struct StoredPatient {
  std::string patient;
  std::vector<std::string> generations;  // oldest first
};

struct SweepReport {
  std::int64_t generations_expired = 0;
  std::int64_t objects_deleted = 0;
  std::int64_t objects_kept = 0;
};

struct PurgeReport {
  std::int64_t generations_removed = 0;
  std::int64_t objects_removed = 0;
  std::int64_t objects_kept = 0;  // also named by another patient's manifest
};

struct StoreStats {
  std::int64_t patients = 0, generations = 0, objects = 0, bytes = 0;
};

class PreservationStore {
 public:
  explicit PreservationStore(std::string root);

  // Stores a blob under its digest. Error kBadRequest when the digest is not the blob's.
  // false: already held (a resend).
  bool put_object(const std::string& facility, const std::string& sha256, const std::string& blob);
  std::optional<std::string> object(const std::string& facility, const std::string& sha256) const;
  std::vector<std::string> missing(const std::string& facility,
                                   const std::vector<std::string>& objects) const;

  struct Accepted {
    std::string generation;  // the one now held for this content
    bool stored = false;     // false: this content was already the newest generation
  };
  // Checks the manifest's form and that it is for this facility, patient and generation
  // (kBadRequest), that every object is held (kConflict naming how many are not), and that
  // the name is free (kConflict when another manifest holds it). When the newest generation
  // of the patient has the same objects and sealed index, answers that one instead.
  Accepted put_manifest(const std::string& facility, const std::string& patient,
                        const std::string& generation, const std::string& text);
  std::optional<std::string> manifest(const std::string& facility, const std::string& patient,
                                      const std::string& generation) const;
  // Patients in reference order after `after`, at most `limit`, each with its generations.
  std::vector<StoredPatient> patients(const std::string& facility, const std::string& after,
                                      std::size_t limit) const;
  StoreStats stats(const std::string& facility) const;

  // Removes every generation of the patient, and at once the objects they named that no other
  // manifest names: the facility withdrew the copy (the patient's consent ended). Idempotent
  // (an unknown patient removes nothing). Error kBadRequest for a malformed reference.
  PurgeReport purge(const std::string& facility, const std::string& patient);

  // Expires generations by the rule, then deletes objects no remaining manifest names that
  // are older than the grace (an upload in progress is younger).
  SweepReport sweep(const std::string& facility, const Retention& rule,
                    std::chrono::system_clock::time_point now);

 private:
  std::string facility_dir(const std::string& facility) const;
  ContentStore objects_of(const std::string& facility) const;
  std::mutex& facility_lock(const std::string& facility);

  std::string root_;
  std::mutex locks_mutex_;
  std::map<std::string, std::mutex> locks_;
};

}  // namespace hareyaka::preserve
