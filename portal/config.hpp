// The portal's configuration, read once by the composition root (portal/main.cpp).
#pragma once

#include <string>

#include "common/config.hpp"
#include "common/http_server.hpp"
#include "common/log.hpp"
#include "common/runtime.hpp"

namespace hareyaka::portal {

struct DatabaseSettings {
  std::string conninfo;  // secret: may hold a password
  int pool_size = 16;
};

struct PortalConfig {
  log::Settings log;
  RuntimeSettings runtime;
  DatabaseSettings database;
  http::ListenerSettings web;    // browsers: HTTPS, optional HPKI client certificates
  http::ListenerSettings nodes;  // gateways and peers: mutual TLS with the network CA
  std::string network_root_oid = "1.2.392.200284";
};

// Throws config::ConfigError naming the file or key at fault.
PortalConfig load_portal_config(const std::string& path);

}  // namespace hareyaka::portal
