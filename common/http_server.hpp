// The HTTPS server every daemon uses: Boost.Beast over TLS with C++20 coroutines. One
// strand per connection, a deadline before every operation, header and body limits on
// every parser, keep-alive, and a graceful drain: stop() closes the listeners, wakes idle
// keep-alive connections, lets in-flight requests finish, then returns.
//
// Requests are dispatched through a Router; errors leave handlers as hareyaka::Error and
// are turned into a JSON body {error, message, request_id} with http_status(code). The
// internal message goes to the log, never to the client.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/peer_allowlist.hpp"
#include "common/router.hpp"
#include "common/tls.hpp"

namespace boost::asio {
class io_context;
class thread_pool;
}  // namespace boost::asio

namespace hareyaka::http {

class Metrics;

struct ListenerSettings {
  std::string name = "api";
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0: an ephemeral port, read back with Server::port()
  tls::ServerSettings tls;
  std::chrono::milliseconds handshake_timeout{10'000};
  std::chrono::milliseconds read_timeout{30'000};   // one request, header and body
  std::chrono::milliseconds write_timeout{60'000};  // each write of a response
  std::chrono::milliseconds idle_timeout{60'000};   // keep-alive wait for the next request
  std::size_t header_limit = 16 * 1024;
  std::size_t max_connections = 10'000;
};

class Server {
 public:
  // Blocking handlers run on `workers`; everything else on `ioc`.
  Server(boost::asio::io_context& ioc, boost::asio::thread_pool& workers, Metrics& metrics);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds now (so the port is known and a bind failure stops the start) and starts accepting.
  void listen(const ListenerSettings& settings, std::shared_ptr<const Router> router);
  std::uint16_t port(const std::string& listener_name) const;

  // Stops accepting, closes idle connections and waits (running the io_context's other
  // threads) until in-flight requests finish or `drain` passes. Call from a non-io thread.
  void begin_shutdown();
  bool draining() const { return draining_; }
  std::size_t open_connections() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  std::atomic<bool> draining_{false};
};

// /healthz (the process answers), /readyz (ready() says the daemon can serve: JSON body
// with its checks; 503 when not), /metrics (Prometheus).
using ReadinessCheck = std::function<bool(std::string& detail_json)>;
// /healthz and /readyz; /metrics too when given who may read it (never on a listener that
// faces the public, and on a node listener only for the listed certificates: the counters
// describe the network's use and its routes).
void add_builtin_routes(Router& router, Metrics& metrics, ReadinessCheck ready,
                        const PeerAllowlist* metrics_readers);

}  // namespace hareyaka::http
