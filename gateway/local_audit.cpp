#include "gateway/local_audit.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <utility>

#include "common/error.hpp"
#include "common/log.hpp"

namespace hareyaka::gateway {

LocalAudit::LocalAudit(const std::string& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd_ < 0) {
    throw Error(ErrorCode::kInternal, "cannot start",
                "cannot open local audit file " + path + ": " + std::strerror(errno));
  }
  size_ = ::lseek(fd_, 0, SEEK_END);
}

LocalAudit::~LocalAudit() {
  if (fd_ >= 0)
    ::close(fd_);
}

int LocalAudit::write_all(const std::string& lines) {
  std::size_t done = 0;
  int error = 0;
  while (done < lines.size()) {
    const ssize_t n = ::write(fd_, lines.data() + done, lines.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      error = n < 0 ? errno : ENOSPC;
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  if (!error && ::fdatasync(fd_) != 0)
    error = errno;
  if (error) {
    // No partial line stays behind: the next write starts where the last whole one ended.
    if (::ftruncate(fd_, size_) != 0)
      log::error("local audit: cannot cut off a failed write",
                 {.component = "audit", .detail = std::strerror(errno)});
    return error;
  }
  size_ += static_cast<off_t>(lines.size());
  return 0;
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
    const int error = write_all(batch->lines);
    lock.lock();
    batch->done = true;
    batch->ok = error == 0;
    batch->error = error;
    writing_ = false;
    written_.notify_all();
  }
  if (!mine->ok) {
    // No audit, no disclosure.
    throw Error(ErrorCode::kUnavailable, "audit unavailable",
                "cannot write local audit " + path_ + ": " + std::strerror(mine->error));
  }
}

}  // namespace hareyaka::gateway
