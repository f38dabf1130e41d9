// An in-process HTTPS server on an ephemeral loopback port, for tests of the server core.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <memory>
#include <thread>
#include <vector>

#include "common/http_server.hpp"
#include "common/metrics.hpp"

namespace hareyaka::testing {

class TestServer {
 public:
  TestServer(http::ListenerSettings settings, std::shared_ptr<http::Router> router)
      : work_(boost::asio::make_work_guard(ioc_)), server_(ioc_, workers_, metrics_) {
    server_.listen(settings, router);
    for (int i = 0; i < 2; ++i)
      threads_.emplace_back([this] { ioc_.run(); });
    port_ = server_.port(settings.name);
  }
  ~TestServer() {
    server_.begin_shutdown();
    work_.reset();
    ioc_.stop();
    for (auto& t : threads_)
      t.join();
    workers_.join();
  }
  std::uint16_t port() const { return port_; }
  std::string url(const std::string& path) const {
    return "https://127.0.0.1:" + std::to_string(port_) + path;
  }
  http::Server& server() { return server_; }
  http::Metrics& metrics() { return metrics_; }

 private:
  boost::asio::io_context ioc_{2};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  boost::asio::thread_pool workers_{4};
  http::Metrics metrics_;
  http::Server server_;
  std::vector<std::thread> threads_;
  std::uint16_t port_ = 0;
};

}  // namespace hareyaka::testing
