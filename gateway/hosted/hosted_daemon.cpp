#include "gateway/hosted/hosted_daemon.hpp"

#include <atomic>
#include <filesystem>
#include <thread>

#include "common/error.hpp"
#include "common/openapi.hpp"
#include "common/peer_allowlist.hpp"
#include "common/router.hpp"
#include "gateway/directory/directory_puller.hpp"
#include "gateway/hosted/publish_pump.hpp"
#include "gateway/hosted/tenant_mount.hpp"

// docs/openapi/hosted.yaml, compiled in (hareyaka_embed_openapi).
namespace hareyaka::hosted {
std::string_view openapi_document();
}

namespace hareyaka::gateway::hosted {

namespace fs = std::filesystem;
using nlohmann::json;

struct HostedDaemon::Impl {
  explicit Impl(HostedConfig c)
      : config(std::move(c)),
        runtime(config.runtime),
        verifier(config.assertion_public_key, config.assertions),
        readers(config.node_readers, "the hosted gateway's status"),
        directory(config.state_dir + "/directory.json"),
        shared{.verifier = verifier,
               .readers = readers,
               .directory = config.portal_url.empty() ? nullptr : &directory,
               .unknown_users = config.directory.unknown_users,
               .portal_url = config.portal_url,
               .limits = config.limits,
               .tenants_dir = config.tenants_dir,
               .client_thread = &client_thread},
        pump(config.publish_threads) {}

  HostedConfig config;
  Runtime runtime;
  AssertionVerifier verifier;
  http::PeerAllowlist readers;
  DirectoryCache directory;
  http::ClientThread client_thread;  // before the tenants: their clients run on it
  SharedParts shared;
  PublishPump pump;
  std::unique_ptr<DirectoryPuller> directory_puller;
  std::map<std::string, std::unique_ptr<Tenant>> tenants;
  std::shared_ptr<http::Router> router = std::make_shared<http::Router>();
  std::thread starter;
  std::atomic<bool> started{false};

  void stop() {
    if (starter.joinable())
      starter.join();
    pump.stop();
    if (directory_puller)
      directory_puller->stop();
  }
};

HostedDaemon::HostedDaemon(HostedConfig config) {
  for (const auto* dir : {&config.tenants_dir, &config.state_dir}) {
    std::error_code ec;
    fs::create_directories(*dir, ec);
    if (ec)
      throw Error(ErrorCode::kInternal, "cannot start",
                  "cannot create " + *dir + ": " + ec.message());
  }
  impl_ = std::make_unique<Impl>(std::move(config));
  Impl& d = *impl_;
  for (const auto& t : d.config.tenants) {
    auto tenant = std::make_unique<Tenant>(t, d.shared);
    if (auto* p = tenant->publisher()) {
      const std::size_t slot = d.pump.add(*p);
      tenant->on_queued([&pump = d.pump, slot] { pump.poke(slot); });
    }
    d.tenants.emplace(t.id, std::move(tenant));
  }
  if (!d.config.portal_url.empty()) {
    // The directory is the network's, the same for every tenant: pulled once, with the first
    // tenant's certificate (the portal answers any registered facility's gateway).
    d.directory_puller = std::make_unique<DirectoryPuller>(
        d.directory, DirectoryPullSettings{.portal_url = d.config.portal_url,
                                           .tls = d.config.tenants.front().tls,
                                           .interval = d.config.directory.pull_interval});
  }
}

HostedDaemon::~HostedDaemon() {
  impl_->stop();
}

void HostedDaemon::start() {
  Impl& d = *impl_;
  http::add_builtin_routes(
      *d.router, d.runtime.metrics(),
      [&d](std::string& detail) {
        detail = json{{"tenants", d.tenants.size()}, {"started", d.started.load()}}.dump();
        return d.started.load();
      },
      &d.readers);
  http::add_openapi_route(*d.router, hareyaka::hosted::openapi_document(), "nodes");
  mount_tenants(*d.router, d.tenants.begin()->second->router(),
                [&d](const std::string& id) -> const http::Router* {
                  auto it = d.tenants.find(id);
                  return it == d.tenants.end() ? nullptr : &it->second->router();
                });
  d.router->add_blocking(
      "GET", "/hosted/v1/tenants",
      [&d](http::Request& req) {
        d.readers.require(req);
        json items = json::array();
        for (const auto& [id, t] : d.tenants)
          items.push_back(t->status());
        return http::Response::json(200, json{{"items", items}}.dump());
      },
      {.body_limit = 0, .summary = "every tenant: storage, quota and what the portal lacks"});
  if (d.directory_puller)
    d.directory_puller->start();
  d.runtime.server().listen(d.config.listener, d.router);
  d.starter = std::thread([&d] {
    for (auto& [id, t] : d.tenants)
      t->start();
    d.pump.start();
    d.started = true;
  });
  d.runtime.on_stop([&d] { d.stop(); });
}

void HostedDaemon::run() {
  impl_->runtime.run();
}

json HostedDaemon::routes() const {
  return {{"nodes", http::route_listing(*impl_->router)}};
}

std::map<std::string, int> HostedDaemon::ports() const {
  return {{"nodes", impl_->runtime.server().port("nodes")}};
}

}  // namespace hareyaka::gateway::hosted
