#include "gateway/local_audit.hpp"

#include <unistd.h>

#include <chrono>
#include <utility>

#include "common/error.hpp"

namespace hareyaka::gateway {

LocalAudit::LocalAudit(const std::string& path) : path_(path) {
  file_ = std::fopen(path.c_str(), "a");
  if (!file_) {
    throw Error(ErrorCode::kInternal, "cannot start", "cannot open local audit file " + path);
  }
}

LocalAudit::~LocalAudit() {
  if (file_)
    std::fclose(file_);
}

void LocalAudit::append(nlohmann::json record) {
  record["time"] = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  const std::string line = record.dump() + "\n";
  std::unique_lock lock(mutex_);
  const std::shared_ptr<Batch> mine = open_;
  mine->lines += line;
  while (!mine->done) {
    if (writing_) {
      written_.wait(lock);
      continue;
    }
    // Nobody is writing: write everything queued so far, this line included.
    writing_ = true;
    const std::shared_ptr<Batch> batch = std::exchange(open_, std::make_shared<Batch>());
    lock.unlock();
    const bool ok =
        std::fwrite(batch->lines.data(), 1, batch->lines.size(), file_) == batch->lines.size() &&
        std::fflush(file_) == 0 && ::fdatasync(::fileno(file_)) == 0;
    lock.lock();
    batch->done = true;
    batch->ok = ok;
    writing_ = false;
    written_.notify_all();
  }
  if (!mine->ok) {
    // No audit, no disclosure.
    throw Error(ErrorCode::kUnavailable, "audit unavailable", "cannot write local audit " + path_);
  }
}

}  // namespace hareyaka::gateway
