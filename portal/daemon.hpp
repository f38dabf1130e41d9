// The portal daemon: builds its parts from the configuration and serves until stopped.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "portal/config.hpp"

namespace hareyaka::portal {

class Daemon {
 public:
  explicit Daemon(PortalConfig config);
  ~Daemon();
  // Listens (so ports are known after this returns), then serves until SIGTERM/SIGINT.
  void start();
  void run();
  std::map<std::string, int> ports() const;
  // {"<listener>": [[method, pattern], ...]}: the route tables, for the ports file.
  nlohmann::json routes() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hareyaka::portal
