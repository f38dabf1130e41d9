// The preservation node's configuration (hareyaka-preserve), read once by preserve/main.cpp.
#pragma once

#include <string>
#include <vector>

#include "common/http_server.hpp"
#include "common/log.hpp"
#include "common/runtime.hpp"
#include "preserve/store.hpp"

namespace hareyaka::preserve {

// Who may write and read one facility's copy, by certificate fingerprint (lower-case hex
// SHA-256 of the DER): writers are its gateway; readers its gateway (restore) and the
// secretariat's standby gateway (disaster declaration).
struct FacilityAccess {
  std::string oid;
  std::vector<std::string> writers;
  std::vector<std::string> readers;
};

struct PreserveConfig {
  log::Settings log;
  RuntimeSettings runtime;
  http::ListenerSettings listener;  // mutual TLS with the network CA
  std::string store_dir;
  Retention retention;
  std::chrono::milliseconds sweep_interval{std::chrono::hours(1)};
  std::vector<FacilityAccess> facilities;
  std::vector<std::string> node_readers;  // /metrics and /pv/v1/status (operators)
};

PreserveConfig load_preserve_config(const std::string& path);

}  // namespace hareyaka::preserve
