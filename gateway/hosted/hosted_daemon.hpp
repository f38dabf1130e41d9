// The hosted gateway daemon (issue #17): one process, one listener, many tenant facilities.
// Each tenant's routes are a hospital gateway's (gateway/data_api) plus its upload routes,
// under /t/<tenant id>/: the portal's directory names https://host:port/t/<id> as that
// facility's gateway, so the portal calls it as any other.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "gateway/hosted/hosted_config.hpp"

namespace hareyaka::gateway::hosted {

class HostedDaemon {
 public:
  explicit HostedDaemon(HostedConfig config);
  ~HostedDaemon();
  void start();
  void run();
  std::map<std::string, int> ports() const;
  nlohmann::json routes() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hareyaka::gateway::hosted
