// The gateway's index of one hospital's SS-MIX2 standard and extended storage. The files
// are the truth; the index remembers which files exist per patient (not their content:
// record queries re-read the few files a page needs), and which files cannot be used and why.
//
// Life cycle: scan() once at start (with progress; unchanged files are taken from the on-disk
// cache), then start_following(): inotify for prompt updates plus a periodic reconciliation
// pass, because inotify is silent on network file systems and can overflow. Reads are
// thread-safe at any time and see either the state before or after each change.
//
// Which files are shown: condition flag 1 only; a flag-0 (deleted) file hides the current
// files with the same date, data type and order number that are not newer than it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "gateway/storage/entries.hpp"
#include "gateway/storage/scanner.hpp"

namespace hareyaka::gateway::storage {

struct IndexOptions {
  std::string standard_root;
  std::string extended_root;  // empty: no extended storage
  std::string cache_file;     // empty: no on-disk cache
  unsigned threads = 2;
  bool reject_pid_mismatch = false;
  // Non-empty: index only this patient's folders (the `show` command on a large storage).
  std::string only_patient;
  std::chrono::milliseconds reconcile_interval{std::chrono::minutes(5)};
  // false: no inotify, only the reconciliation pass (network file systems, where inotify
  // sees nothing written by other machines).
  bool use_inotify = true;
  std::chrono::milliseconds progress_interval{1000};
  ProgressCallback on_progress;                                // scan progress
  std::function<void(const Problem&)> on_problem;              // each new or changed problem
  std::function<void(const std::string&)> on_patient_changed;  // patient id whose files changed
};

struct IndexStats {
  std::uint64_t patients = 0;
  std::uint64_t current_files = 0;  // shown
  std::uint64_t stored_files = 0;   // every usable standard file, any flag
  std::uint64_t documents = 0;
  std::uint64_t errors = 0;                              // unusable files
  std::uint64_t warnings = 0;                            // used files with a disagreement
  std::map<std::string, std::uint64_t> current_by_type;  // "OMP-01" -> count
};

struct FollowStatus {
  bool following = false;
  bool inotify = false;  // false: only the reconciliation pass sees changes
  std::uint64_t watches = 0;
  std::uint64_t reconciliations = 0;
  std::uint64_t generation = 0;  // increases with every change
};

class StorageIndex {
 public:
  explicit StorageIndex(IndexOptions options);
  ~StorageIndex();
  StorageIndex(const StorageIndex&) = delete;
  StorageIndex& operator=(const StorageIndex&) = delete;

  // Full pass over both storages (blocking). Uses the on-disk cache on the first call and
  // the in-memory index afterwards; writes the cache when done.
  ScanProgress scan();
  // Same as scan(), without progress reports: the periodic reconciliation.
  void reconcile();
  // Re-reads one file (relative to its root) now: what an inotify event does.
  void refresh(StorageKind storage, const std::string& relative_path);
  void start_following();
  void stop_following();

  bool has_patient(const std::string& patient_id) const;
  // Shown files of a patient, newest date first (then newest timestamp first).
  std::vector<FileEntry> current_files(const std::string& patient_id) const;
  std::vector<DocumentEntry> documents(const std::string& patient_id) const;
  std::optional<DocumentEntry> document(const std::string& patient_id, const std::string& id) const;
  // Patient ids in order, after `after` (exclusive), at most `limit`.
  std::vector<std::string> patient_ids(const std::string& after, std::size_t limit) const;
  // Calls fn with every patient id in order, a page of ids at a time (the index is not locked
  // while fn runs, so fn may read the index or take its time).
  void for_each_patient(const std::function<void(const std::string&)>& fn) const;
  // Problems sorted by path; errors and warnings (warnings only when include_warnings).
  std::vector<Problem> problems(std::size_t offset, std::size_t limit,
                                bool include_warnings = true) const;
  IndexStats stats() const;
  FollowStatus follow_status() const;

  const std::string& standard_root() const { return options_.standard_root; }
  const std::string& extended_root() const { return options_.extended_root; }
  std::string standard_path(const std::string& patient_id, const FileEntry& entry) const;
  std::string extended_path(const DocumentEntry& entry) const;

 private:
  struct PatientFiles {
    std::vector<FileEntry> files;
    std::vector<DocumentEntry> documents;
  };
  struct State {
    std::map<std::string, PatientFiles> patients;
    std::map<std::string, Problem> problems;  // by known_key
  };

  ScanProgress full_pass(bool report_progress);
  // Applies a verdict to `state`; returns the patient id it touched (may be empty).
  static std::string apply(State& state, const Verdict& v);
  static void build(State& state, const std::vector<Verdict>& verdicts);
  static void compact(State& state);
  static void remove_path(State& state, StorageKind storage, const std::string& path,
                          std::string* patient_id);
  std::vector<Verdict> snapshot_verdicts() const;  // caller holds mu_ (shared)
  void follow_loop();

  IndexOptions options_;
  mutable std::shared_mutex mu_;  // guards state_
  State state_;
  std::mutex writer_mu_;  // one writer at a time (scan, reconcile, refresh)
  bool cache_loaded_ = false;

  std::atomic<bool> stop_{false};
  std::thread follower_;
  int inotify_fd_ = -1;
  int wake_fd_ = -1;
  std::map<int, std::pair<StorageKind, std::string>> watches_;  // follower thread only
  std::atomic<bool> following_{false};
  std::atomic<bool> inotify_ok_{false};
  std::atomic<std::uint64_t> watch_count_{0};
  std::atomic<std::uint64_t> reconciliations_{0};
  std::atomic<std::uint64_t> generation_{0};
};

}  // namespace hareyaka::gateway::storage
