#include "portal/daemon.hpp"

#include <nlohmann/json.hpp>

#include "common/migrations.hpp"
#include "common/pg.hpp"
#include "common/router.hpp"
#include "portal/schema.hpp"

namespace hareyaka::portal {

struct Daemon::Impl {
  explicit Impl(PortalConfig c)
      : config(std::move(c)),
        runtime(config.runtime),
        pool({.conninfo = config.database.conninfo, .size = config.database.pool_size}) {}

  PortalConfig config;
  Runtime runtime;
  pg::Pool pool;
  std::shared_ptr<http::Router> web = std::make_shared<http::Router>();
  std::shared_ptr<http::Router> nodes = std::make_shared<http::Router>();

  bool ready(std::string& detail) {
    const bool db = pool.ping();
    detail = nlohmann::json{{"database", db}}.dump();
    return db;
  }
};

Daemon::Daemon(PortalConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}
Daemon::~Daemon() = default;

void Daemon::start() {
  // Two portals starting together serialise on the migration lock.
  const auto report = pg::apply_migrations(impl_->pool, all_migrations());
  log::info("schema ready", {.count = report.applied});
  auto ready = [this](std::string& d) { return impl_->ready(d); };
  http::add_builtin_routes(*impl_->web, impl_->runtime.metrics(), ready);
  http::add_builtin_routes(*impl_->nodes, impl_->runtime.metrics(), ready);
  impl_->runtime.server().listen(impl_->config.web, impl_->web);
  impl_->runtime.server().listen(impl_->config.nodes, impl_->nodes);
}

void Daemon::run() {
  impl_->runtime.run();
}

std::map<std::string, int> Daemon::ports() const {
  return {{"web", impl_->runtime.server().port("web")},
          {"nodes", impl_->runtime.server().port("nodes")}};
}

}  // namespace hareyaka::portal
