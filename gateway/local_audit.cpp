#include "gateway/local_audit.hpp"

#include <unistd.h>

#include <chrono>

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
  std::lock_guard lock(mutex_);
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fflush(file_) != 0 ||
      ::fdatasync(::fileno(file_)) != 0) {
    // No audit, no disclosure.
    throw Error(ErrorCode::kUnavailable, "audit unavailable", "cannot write local audit " + path_);
  }
}

}  // namespace hareyaka::gateway
