#include "common/runtime.hpp"

#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "common/log.hpp"

namespace hareyaka {

namespace net = boost::asio;

RuntimeSettings read_runtime(const config::ConfigNode& node) {
  RuntimeSettings s;
  s.io_threads = static_cast<int>(node.integer_or("io_threads", s.io_threads, 1, 256));
  s.worker_threads = static_cast<int>(node.integer_or("worker_threads", s.worker_threads, 1, 1024));
  s.drain_timeout = node.millis_or("drain_timeout_ms", s.drain_timeout);
  node.finish();
  return s;
}

struct Runtime::Impl {
  explicit Impl(const RuntimeSettings& s)
      : ioc(s.io_threads), workers(static_cast<std::size_t>(s.worker_threads)), signals(ioc) {}
  net::io_context ioc;
  net::thread_pool workers;
  net::signal_set signals;
  std::mutex mutex;
  std::condition_variable cv;
  bool stop_requested = false;
};

Runtime::Runtime(RuntimeSettings settings)
    : settings_(settings), impl_(std::make_unique<Impl>(settings)) {
  server_ = std::make_unique<http::Server>(impl_->ioc, impl_->workers, metrics_);
}

Runtime::~Runtime() {
  server_.reset();
  impl_->workers.join();
}

net::io_context& Runtime::io() {
  return impl_->ioc;
}
net::thread_pool& Runtime::workers() {
  return impl_->workers;
}

void Runtime::request_stop() {
  std::lock_guard lock(impl_->mutex);
  impl_->stop_requested = true;
  impl_->cv.notify_all();
}

void Runtime::run() {
  impl_->signals.add(SIGTERM);
  impl_->signals.add(SIGINT);
  impl_->signals.async_wait([this](const boost::system::error_code& ec, int) {
    if (!ec)
      request_stop();
  });
  auto guard = net::make_work_guard(impl_->ioc);
  std::vector<std::thread> threads;
  for (int i = 0; i < settings_.io_threads; ++i)
    threads.emplace_back([this] { impl_->ioc.run(); });

  {
    std::unique_lock lock(impl_->mutex);
    impl_->cv.wait(lock, [this] { return impl_->stop_requested; });
  }
  log::info("stopping: draining in-flight requests");
  if (on_stop_)
    on_stop_();
  server_->begin_shutdown();
  const auto deadline = std::chrono::steady_clock::now() + settings_.drain_timeout;
  while (server_->open_connections() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const auto left = server_->open_connections();
  if (left > 0)
    log::warn("drain deadline passed; closing connections",
              {.count = static_cast<std::int64_t>(left)});
  impl_->signals.cancel();
  guard.reset();
  impl_->ioc.stop();
  for (auto& t : threads)
    t.join();
  impl_->workers.join();
  log::info("stopped");
}

void write_ports_file(const std::string& path, const std::map<std::string, int>& ports,
                      const nlohmann::json& routes) {
  nlohmann::json j;
  j["listeners"] = ports;
  j["routes"] = routes;
  j["pid"] = static_cast<long>(::getpid());
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << j.dump() << "\n";
  }
  std::rename(tmp.c_str(), path.c_str());
}

}  // namespace hareyaka
