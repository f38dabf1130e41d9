#include "portal/daemon.hpp"

#include <nlohmann/json.hpp>

#include "common/migrations.hpp"
#include "common/pg.hpp"
#include "common/router.hpp"
#include "pix/pg_identity_store.hpp"
#include "pix/service.hpp"
#include "portal/pix_routes.hpp"
#include "portal/schema.hpp"

namespace hareyaka::portal {

struct Daemon::Impl {
  explicit Impl(PortalConfig c)
      : config(std::move(c)),
        runtime(config.runtime),
        pool({.conninfo = config.database.conninfo, .size = config.database.pool_size}),
        identities(pool, pix_store_settings(config)),
        pix_service(identities, pix_service_settings(config)) {}

  static pix::StoreSettings pix_store_settings(const PortalConfig& c) {
    pix::StoreSettings s;
    s.match.auto_link_threshold = c.pix.auto_link_threshold;
    s.match.review_threshold = c.pix.review_threshold;
    for (const auto& [name, url] : c.pix.consumers)
      s.notification_consumers.push_back(name);
    return s;
  }
  static pix::ServiceSettings pix_service_settings(const PortalConfig& c) {
    pix::ServiceSettings s;
    s.device = {.device_id = c.pix.device_oid, .organization_id = c.network_root_oid};
    return s;
  }

  PortalConfig config;
  Runtime runtime;
  pg::Pool pool;
  pix::PgIdentityStore identities;
  pix::Service pix_service;
  std::unique_ptr<PixNotifier> notifier;
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
  add_pix_routes(*impl_->nodes, impl_->pix_service);
  std::map<std::string, NotificationConsumer> consumers;
  for (const auto& [name, url] : impl_->config.pix.consumers)
    consumers[name] = {name, url};
  impl_->notifier = std::make_unique<PixNotifier>(
      impl_->identities, impl_->pix_service, std::move(consumers),
      http::ClientSettings{.tls = impl_->config.client_tls}, impl_->config.pix.notify_interval);
  impl_->notifier->start();
  impl_->runtime.on_stop([this] { impl_->notifier->stop(); });
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
