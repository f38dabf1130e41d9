// The gateway daemon: builds its parts from the configuration and serves until stopped.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "gateway/config.hpp"

namespace hareyaka::gateway {

class Daemon {
 public:
  explicit Daemon(GatewayConfig config);
  ~Daemon();
  void start();  // listens; ports are known after this returns
  void run();    // serves until SIGTERM/SIGINT
  std::map<std::string, int> ports() const;
  // {"<listener>": [[method, pattern], ...]}: the route tables, for the ports file.
  nlohmann::json routes() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hareyaka::gateway
