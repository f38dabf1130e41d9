#include "gateway/daemon.hpp"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "common/router.hpp"

namespace hareyaka::gateway {

namespace fs = std::filesystem;

struct Daemon::Impl {
  explicit Impl(GatewayConfig c) : config(std::move(c)), runtime(config.runtime) {}
  GatewayConfig config;
  Runtime runtime;
  std::shared_ptr<http::Router> router = std::make_shared<http::Router>();

  bool ready(std::string& detail) {
    std::error_code ec;
    const bool storage = fs::is_directory(config.storage.ssmix2_root, ec);
    detail = nlohmann::json{{"storage", storage}}.dump();
    return storage;
  }
};

Daemon::Daemon(GatewayConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}
Daemon::~Daemon() = default;

void Daemon::start() {
  std::error_code ec;
  fs::create_directories(impl_->config.storage.state_dir, ec);
  if (ec) {
    throw Error(ErrorCode::kInternal, "cannot start",
                "cannot create state_dir " + impl_->config.storage.state_dir + ": " + ec.message());
  }
  http::add_builtin_routes(*impl_->router, impl_->runtime.metrics(),
                           [this](std::string& d) { return impl_->ready(d); });
  impl_->runtime.server().listen(impl_->config.listener, impl_->router);
}

void Daemon::run() {
  impl_->runtime.run();
}

std::map<std::string, int> Daemon::ports() const {
  return {{"nodes", impl_->runtime.server().port("nodes")}};
}

}  // namespace hareyaka::gateway
