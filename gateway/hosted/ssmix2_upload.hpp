// The standard (and extended) storage of a hosted tenant (issue #17), written only by uploads: a
// zip of SS-MIX2 standard storage made by a small EMR or a conversion tool. Every file of an upload
// is checked before anything is written (the storage index's own rules, with the patient id
// of PID-3 required to match the folder); one bad file rejects the whole upload, with a
// per-file report, and nothing of it is stored.
//
// An accepted upload is committed so that a crash at any moment keeps it whole or not at
// all: its files are written under uploads/<id>/ and flushed together (syncfs), then a journal
// naming them is written (the commit point), then each is linked into the storage (an existing
// name is never replaced), the links flushed together, and the journal removed. recover() at start
// finishes a journalled commit and drops the staging of an upload that never reached its journal
// (it was never acknowledged).
//
// SS-MIX2 files are never rewritten: a file of the same name and the same bytes is
// "unchanged"; of other bytes, rejected. A correction is a new file (a newer timestamp, or
// condition flag 0 to delete), the way an EMR writes one.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace hareyaka::gateway::hosted {

struct UploadLimits {
  std::uint64_t max_files = 100'000;                  // entries in one zip
  std::uint64_t max_uncompressed_bytes = 1ull << 30;  // all entries of one zip
};

struct UploadFile {
  std::string name;    // as named in the zip
  std::string path;    // the standard-storage path it maps to (empty when it maps to none)
  std::string status;  // "stored", "unchanged", "rejected", "ignored"
  std::string reason;  // why rejected or ignored; warnings of a stored file
};

struct UploadReport {
  std::string upload_id;
  std::string received_at;  // ISO 8601 UTC
  std::uint64_t bytes = 0;  // the zip's size
  std::string error;        // the upload as a whole (not a zip, over quota), else empty
  int error_status = 0;     // the HTTP status of `error` (422, 413)
  std::vector<UploadFile> files;
  std::size_t stored = 0, unchanged = 0, rejected = 0, ignored = 0;

  bool accepted() const { return error.empty() && rejected == 0; }
  // The counts from the files' statuses.
  void tally();
  // The answer's HTTP status: error_status for an error of the whole upload, 422 when a file
  // was rejected, else 200.
  int status() const;
  nlohmann::json to_json() const;
};

class Ssmix2Store {
 public:
  // `tenant_dir` holds ssmix2/ (the standard storage) and uploads/ (staging, journals and the
  // reports of the last uploads).
  Ssmix2Store(std::string tenant_dir, std::uint64_t quota_bytes, UploadLimits limits);

  const std::string& standard_root() const { return standard_root_; }
  // Finishes interrupted commits, drops unacknowledged staging; counts the bytes held.
  // Returns the paths it placed (relative to the standard or, for documents, the extended root).
  std::vector<std::string> recover();
  // Checks and stores one zip (all of its files or none). `placed`: the paths newly stored.
  // The report is the caller's to keep (save_report), with its audit.
  UploadReport upload(std::string_view zip, std::vector<std::string>& placed);
  // Stores one file the gateway wrote itself (a registration's ADT-00), through the same
  // commit and quota; false when that name is already held with these bytes. Throws
  // Error(kConflict) for other bytes under the name, kPayloadTooLarge over the quota.
  bool place(const std::string& path, const std::string& bytes, std::vector<std::string>& placed);
  // Keeps `bytes` of another kind (a pharmacy's notebook file, received as is) within the same
  // quota: `write` runs under the store's lock and returns whether it stored anything new,
  // which is then counted. Throws Error(kPayloadTooLarge) when the bytes would pass the quota.
  bool charge(std::uint64_t bytes, const std::function<bool()>& write);
  // Stores one document in the extended storage (a care facility's web form, extended_root()),
  // through the same journal and quota. `supersede`, when not empty, is the content folder (a
  // path relative to the extended root) of the document this one corrects: in the same commit
  // its condition flag becomes 2 (superseded) by renaming the folder to `superseded_as`; its
  // file stays on disk. Throws Error(kConflict) when `path` is taken, kPayloadTooLarge over the
  // quota, kNotFound when `supersede` is no longer there.
  void place_document(const std::string& path, const std::string& bytes,
                      const std::string& supersede, const std::string& superseded_as,
                      std::vector<std::string>& placed);
  // Withdraws a document of the extended storage: its content folder (relative to the extended
  // root) renamed to `retired_as` (condition flag 0) through the journal; its file stays on
  // disk. Throws Error(kNotFound) when the folder is no longer there.
  void retire_document(const std::string& folder, const std::string& retired_as,
                       std::vector<std::string>& placed);
  const std::string& extended_root() const { return extended_root_; }
  // Keeps a report with the last ones (uploads of other kinds, a pharmacy's お薬手帳 files).
  void save_report(const UploadReport& report);
  // The reports of the most recent uploads, newest first.
  std::vector<nlohmann::json> reports(std::size_t limit) const;
  std::uint64_t used_bytes() const;
  std::uint64_t quota_bytes() const { return quota_; }

 private:
  struct Staged {
    std::string path;  // relative to its storage root
    std::string bytes;
  };
  struct Rename {  // a content folder of the extended storage that becomes superseded
    std::string from, to;
  };
  void check_entries(std::string_view zip, UploadReport& report, std::vector<Staged>& staged);
  void commit(const std::string& upload_id, const std::vector<Staged>& staged,
              std::vector<std::string>& placed, bool extended = false,
              const std::vector<Rename>& renames = {});
  void roll_forward(const std::string& journal, std::vector<std::string>& placed);

  std::string tenant_dir_, standard_root_, extended_root_, uploads_dir_;
  std::uint64_t quota_;
  UploadLimits limits_;
  mutable std::mutex mu_;  // one upload at a time; guards used_
  std::uint64_t used_ = 0;
};

}  // namespace hareyaka::gateway::hosted
