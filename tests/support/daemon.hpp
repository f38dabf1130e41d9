// Starting the real daemons from tests: writes the given configuration to a temp folder,
// runs the binary with --ports-file, waits (polling with a deadline) until it has bound
// its listeners, and stops it with SIGTERM when the object dies.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/process.hpp"

namespace hareyaka::testing {

class Daemon {
 public:
  // binary: "portal/hareyaka-portal" or "gateway/hareyaka-gateway" (under the build folder).
  Daemon(const std::string& binary, const nlohmann::json& config, const std::string& name,
         const std::map<std::string, std::string>& env = {});
  ~Daemon();

  int port(const std::string& listener) const;
  std::string url(const std::string& listener, const std::string& path) const;
  // The route tables from the ports file: {"<listener>": [[method, pattern], ...]}.
  const nlohmann::json& routes() const { return routes_; }
  Child& child() { return *child_; }
  std::string log() const { return read_file(log_path_); }
  const std::string& dir() const { return dir_.path(); }
  // Restarts with the same configuration (after a stop or a kill -9).
  void restart();
  // Stops the daemon (SIGTERM); restart() starts it again.
  void stop();
  // The configuration file it runs with; rewrite() replaces it for the next restart().
  const std::string& config_path() const { return config_path_; }
  void rewrite(const nlohmann::json& config);

 private:
  void start();

  std::string binary_;
  std::map<std::string, std::string> env_;
  TempDir dir_;
  std::string config_path_, ports_path_, log_path_;
  std::unique_ptr<Child> child_;
  std::map<std::string, int> ports_;
  nlohmann::json routes_;
};

std::string binary_path(const std::string& relative);

}  // namespace hareyaka::testing
