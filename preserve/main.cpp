// hareyaka-preserve: the preservation node (issue #20), the composition root. It keeps the
// encrypted minimum data sets the gateways send, in generations, and expires old ones by the
// retention rule (docs/operations.md "Preservation").
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <thread>

#include "common/cli.hpp"
#include "common/config.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "common/openapi.hpp"
#include "common/peer_allowlist.hpp"
#include "common/router.hpp"
#include "common/runtime.hpp"
#include "preserve/config.hpp"
#include "preserve/openapi_document.hpp"
#include "preserve/routes.hpp"
#include "preserve/store.hpp"

namespace {

using namespace hareyaka;

// Expires generations by the retention rule, once at start and then every interval.
class Sweeper {
 public:
  Sweeper(preserve::PreservationStore& store, const preserve::PreserveConfig& c)
      : thread_([this, &store, &c] {
          std::unique_lock lock(mutex_);
          do {
            for (const auto& f : c.facilities) {
              try {
                auto r = store.sweep(f.oid, c.retention, std::chrono::system_clock::now());
                log::info("preservation sweep",
                          {.component = "preserve",
                           .detail = f.oid,
                           .count = r.generations_expired + r.objects_deleted});
              } catch (const std::exception& e) {
                log::warn("preservation sweep failed",
                          {.component = "preserve", .detail = e.what()});
              }
            }
          } while (!wake_.wait_for(lock, c.sweep_interval, [this] { return stop_; }));
        }) {}
  ~Sweeper() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace

int main(int argc, char** argv) {
  int code = 0;
  auto args = cli::parse_daemon_args(
      argc, argv, "hareyaka-preserve",
      "The Hareyaka preservation node: keeps encrypted generations of each hospital's SS-MIX2\n"
      "minimum data set, written by its gateway over mutual TLS.",
      code);
  if (!args)
    return code;
  try {
    auto cfg = preserve::load_preserve_config(args->config_file);
    log::configure(cfg.log);
    Runtime runtime(cfg.runtime);
    preserve::PreservationStore store(cfg.store_dir);
    http::PeerAllowlist readers(cfg.node_readers, "the preservation node's metrics");
    auto router = std::make_shared<http::Router>();
    http::add_builtin_routes(
        *router, runtime.metrics(),
        [&cfg](std::string& detail) {
          std::error_code ec;
          const bool ok = std::filesystem::is_directory(cfg.store_dir, ec);
          detail = ok ? "{\"store\":true}" : "{\"store\":false}";
          return ok;
        },
        &readers);
    http::add_openapi_route(*router, preserve::openapi_document(), "nodes");
    preserve::add_preserve_routes(*router, store, cfg.facilities);
    runtime.server().listen(cfg.listener, router);
    if (!args->ports_file.empty()) {
      write_ports_file(args->ports_file, {{"nodes", runtime.server().port("nodes")}},
                       {{"nodes", http::route_listing(*router)}});
    }
    Sweeper sweeper(store, cfg);
    runtime.run();
    return 0;
  } catch (const config::ConfigError& e) {
    std::fprintf(stderr, "hareyaka-preserve: %s\n", e.what());
    return 2;
  } catch (const Error& e) {
    std::fprintf(stderr, "hareyaka-preserve: cannot start: %s\n", e.internal().c_str());
    return 1;
  }
}
