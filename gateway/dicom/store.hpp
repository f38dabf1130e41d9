// The gateway's DICOM storage folder: files laid out as <root>/<study>/<series>/<sop>.dcm
// (UIDs only, so no patient data in paths), each written under <root>/.incoming first and
// renamed into place (a reader never sees half a file), then indexed. The files are the
// truth: rescan() rebuilds the index from them.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_set>

#include "gateway/dicom/index.hpp"
#include "gateway/dicom/record.hpp"

class DcmFileFormat;

namespace hareyaka::gateway::dicom {

class DicomStore {
 public:
  // Creates root if needed and opens the index; rescans the files when the index journal
  // is missing or damaged.
  explicit DicomStore(std::filesystem::path root);

  // Adopts a complete DICOM file that was written (by the SCP, or a copy) under
  // incoming_dir(): validates it, moves it into place and indexes it. On refusal the file is
  // deleted and Error(kUnprocessable) says why. expected_sop_uid: when not empty (C-STORE),
  // the dataset's SOP Instance UID must equal it.
  InstanceRecord adopt(const std::filesystem::path& incoming_file,
                       const std::string& expected_sop_uid = {});

  // Stores a dataset received in memory (C-STORE): validates it first (nothing is written
  // for a refused one), writes it as a Part 10 file in transfer_syntax_uid (the presentation
  // context's), renames it into place and indexes it. Errors as adopt().
  InstanceRecord store_received(DcmFileFormat& file, const std::string& transfer_syntax_uid,
                                const std::string& expected_sop_uid);

  // Imports a file from elsewhere (folder import): reads it, validates, writes a copy (with
  // a proper File Meta Information header when the source has none) and indexes it.
  InstanceRecord import_file(const std::filesystem::path& file);

  // Called after each instance is placed and indexed (from the storing thread). Set it once,
  // before anything is stored; the daemon uses it to tell the portal about a new study.
  void set_on_indexed(std::function<void(const InstanceRecord&)> callback) {
    on_indexed_ = std::move(callback);
  }

  // Rebuilds the index from the files; returns the number of instances found.
  std::size_t rescan();

  DicomIndex& index() { return index_; }
  const DicomIndex& index() const { return index_; }
  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path incoming_dir() const { return root_ / ".incoming"; }
  // A fresh, unique file name under incoming_dir().
  std::filesystem::path new_incoming_path();
  // Absolute path of a stored instance.
  std::filesystem::path file_of(const InstanceRecord& record) const { return root_ / record.path; }

 private:
  InstanceRecord place(const std::filesystem::path& tmp, InstanceRecord record);
  // create_directories, remembered (a series folder is made once, then receives many files).
  void ensure_dir(const std::filesystem::path& dir);

  std::filesystem::path root_;
  DicomIndex index_;
  std::atomic<std::uint64_t> counter_{0};
  std::mutex dirs_mutex_;
  std::mutex place_mutex_;  // the conflict check, the rename and the index entry as one step
  std::unordered_set<std::string> known_dirs_;  // bounded: cleared past kMaxKnownDirs
  std::function<void(const InstanceRecord&)> on_indexed_;
};

}  // namespace hareyaka::gateway::dicom
