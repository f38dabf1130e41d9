// What every daemon runs on: the I/O threads, the worker pool for blocking work, the HTTPS
// server, metrics, and the SIGTERM/SIGINT handling that drains in-flight requests before
// the process exits.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "common/config.hpp"
#include "common/http_server.hpp"
#include "common/metrics.hpp"

namespace boost::asio {
class io_context;
class thread_pool;
}  // namespace boost::asio

namespace hareyaka {

struct RuntimeSettings {
  int io_threads = 2;
  int worker_threads = 16;
  std::chrono::milliseconds drain_timeout{15'000};
};

RuntimeSettings read_runtime(const config::ConfigNode& node);

class Runtime {
 public:
  explicit Runtime(RuntimeSettings settings);
  ~Runtime();

  boost::asio::io_context& io();
  boost::asio::thread_pool& workers();
  http::Metrics& metrics() { return metrics_; }
  http::Server& server() { return *server_; }

  // Called once when a stop signal arrives, before the server drains (stop background jobs).
  void on_stop(std::function<void()> fn) { on_stop_ = std::move(fn); }
  // Runs the I/O threads until SIGTERM/SIGINT or request_stop(), drains, and returns.
  void run();
  void request_stop();

 private:
  struct Impl;
  RuntimeSettings settings_;
  std::unique_ptr<Impl> impl_;
  http::Metrics metrics_;
  std::unique_ptr<http::Server> server_;
  std::function<void()> on_stop_;
};

// Writes {"listeners": {"name": port, ...}, "routes": {"name": [[method, pattern], ...]}}
// atomically (write + rename), so a test or a script that started the daemon with port 0 can
// read back the ports it got, and a test can compare the routes with the OpenAPI document.
void write_ports_file(const std::string& path, const std::map<std::string, int>& ports,
                      const nlohmann::json& routes = nlohmann::json::object());

}  // namespace hareyaka
