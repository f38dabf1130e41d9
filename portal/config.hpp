// The portal's configuration, read once by the composition root (portal/main.cpp).
#pragma once

#include <chrono>
#include <map>
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

struct PixSettings {
  std::string device_oid;  // this identity manager's device id (default: network root + ".0.1")
  double auto_link_threshold = 20;
  double review_threshold = 10;
  std::map<std::string, std::string> consumers;  // ITI-46 consumer name -> URL
  std::chrono::milliseconds notify_interval{2000};
};

struct PortalConfig {
  log::Settings log;
  RuntimeSettings runtime;
  DatabaseSettings database;
  http::ListenerSettings web;    // browsers: HTTPS, optional HPKI client certificates
  http::ListenerSettings nodes;  // gateways and peers: mutual TLS with the network CA
  std::string network_root_oid = "1.2.392.200284";
  PixSettings pix;
  tls::ClientSettings client_tls;  // the portal as a client of gateways and consumers
};

// Throws config::ConfigError naming the file or key at fault.
PortalConfig load_portal_config(const std::string& path);

}  // namespace hareyaka::portal
