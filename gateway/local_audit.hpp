// The gateway's own audit trail: one JSON line per request made on a patient's data (who,
// from which facility, which patient, which category, allowed or refused and why), so a
// hospital can answer "who looked at our records" without asking the portal. Each line is
// flushed before the response is sent.
#pragma once

#include <cstdio>
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
  std::string path_;
  std::mutex mutex_;
  std::FILE* file_ = nullptr;
};

}  // namespace hareyaka::gateway
