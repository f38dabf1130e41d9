// The gateway's own audit trail: one JSON line per request made on a patient's data (who,
// from which facility, which patient, which category, allowed or refused and why), so a
// hospital can answer "who looked at our records" without asking the portal. Each line is
// on disk (fdatasync) before append() returns, so before the response is sent; concurrent
// appends share one write and one fdatasync (group commit: whoever finds no write in progress
// writes every line queued so far, the others wait for the write that carries their line).
// A write that fails (a full disk) refuses the disclosures it carried, naming the cause, and
// is cut off again, so the file holds whole lines only and the next append, once there is
// space, continues it.
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

namespace hareyaka::gateway {

class LocalAudit {
 public:
  explicit LocalAudit(const std::string& path);
  ~LocalAudit();
  LocalAudit(const LocalAudit&) = delete;
  LocalAudit& operator=(const LocalAudit&) = delete;

  void append(nlohmann::json record);
  const std::string& path() const { return path_; }

 private:
  struct Batch {
    std::string lines;
    bool done = false;
    bool ok = false;
    int error = 0;  // errno of a failed write
  };
  // Writes `lines` at the end and syncs; on failure truncates back and returns the errno.
  int write_all(const std::string& lines);

  std::string path_;
  std::mutex mutex_;
  std::condition_variable written_;
  std::shared_ptr<Batch> open_ = std::make_shared<Batch>();  // lines waiting for a write
  bool writing_ = false;
  int fd_ = -1;
  off_t size_ = 0;  // the file's length up to its last whole, synced line
};

}  // namespace hareyaka::gateway
