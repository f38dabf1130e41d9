// The scanning half of the storage index: walking a storage tree and judging each file
// (usable or not, and why) in parallel, with progress. A file whose size and mtime match
// what is already known is not read again: that is what makes a restart of a large storage
// cheap (the known verdicts come from the on-disk cache) and a reconciliation pass cheap.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "gateway/storage/entries.hpp"

namespace hareyaka::gateway::storage {

struct Verdict {
  StorageKind storage = StorageKind::kStandard;
  std::string path;  // relative to the storage root
  std::int64_t mtime_ns = 0;
  std::uint64_t size = 0;
  bool exists = true;
  bool usable = false;
  ProblemSeverity severity = ProblemSeverity::kError;
  std::string reason;  // empty when the file is clean
};

// What is already known about a file, keyed by known_key(storage, path).
struct KnownFile {
  std::int64_t mtime_ns = 0;
  std::uint64_t size = 0;
  bool usable = false;
  ProblemSeverity severity = ProblemSeverity::kError;
  std::string reason;
};
using KnownFiles = std::unordered_map<std::string, KnownFile>;
std::string known_key(StorageKind storage, std::string_view path);

struct ScanProgress {
  std::uint64_t done = 0;
  std::uint64_t total = 0;
  std::uint64_t parsed = 0;  // files actually read (the rest were known unchanged)
  double files_per_second = 0;
  double eta_seconds = 0;
  double elapsed_seconds = 0;
  bool finished = false;
};
using ProgressCallback = std::function<void(const ScanProgress&)>;

struct ScanSettings {
  unsigned threads = 2;
  bool reject_pid_mismatch = false;
  std::chrono::milliseconds progress_interval{1000};
  ProgressCallback on_progress;
};

// Relative paths of the regular files under root (hidden names, starting with '.', are
// skipped: EMRs write there before renaming into place). Directories are listed in `dirs`
// (relative, "" for the root) when given. A missing root gives nothing.
std::vector<std::string> list_files(const std::string& root,
                                    std::vector<std::string>* dirs = nullptr);

// Judges one file. `known` (may be null) short-cuts an unchanged file.
Verdict evaluate(StorageKind storage, const std::string& root, const std::string& path,
                 const KnownFile* known, bool reject_pid_mismatch);

// Judges the bytes of a standard-storage file at `path` (relative) before it is written
// there: the same rules as evaluate() (an upload is checked with them, gateway/hosted/).
Verdict judge_standard(const std::string& path, std::string_view bytes, bool reject_pid_mismatch);

// Judges many files on `settings.threads` threads, reporting progress.
std::vector<Verdict> evaluate_all(StorageKind storage, const std::string& root,
                                  const std::vector<std::string>& paths, const KnownFiles& known,
                                  const ScanSettings& settings);

}  // namespace hareyaka::gateway::storage
