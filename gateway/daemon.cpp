#include "gateway/daemon.hpp"

#include <atomic>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/assertion.hpp"
#include "common/error.hpp"
#include "common/openapi.hpp"
#include "common/peer_allowlist.hpp"
#include "common/router.hpp"
#include "gateway/data_api.hpp"
#include "gateway/dicom_api.hpp"
#include "gateway/dicom_service.hpp"
#include "gateway/directory/directory_puller.hpp"
#include "gateway/local_audit.hpp"
#include "gateway/openapi_document.hpp"
#include "gateway/preserve/preserver.hpp"
#include "gateway/preserve/sealing.hpp"
#include "gateway/publish/outbox.hpp"
#include "gateway/publish/publisher.hpp"
#include "gateway/storage/storage_index.hpp"

namespace hareyaka::gateway {

namespace fs = std::filesystem;

struct Daemon::Impl {
  explicit Impl(GatewayConfig c)
      : config(std::move(c)),
        runtime(config.runtime),
        verifier(config.assertion_public_key, config.assertions),
        readers(config.node_readers, "the gateway's status"),
        audit(config.storage.state_dir + "/audit.jsonl"),
        directory(config.storage.state_dir + "/directory.json") {}

  GatewayConfig config;
  Runtime runtime;
  AssertionVerifier verifier;
  http::PeerAllowlist readers;
  LocalAudit audit;
  record::ParsedFiles parsed_files;
  DirectoryCache directory;
  std::unique_ptr<DirectoryPuller> directory_puller;
  std::unique_ptr<storage::StorageIndex> index;
  std::shared_ptr<http::Router> router = std::make_shared<http::Router>();
  std::thread scanner;
  std::atomic<bool> scanned{false};
  std::unique_ptr<publish::Outbox> outbox;
  std::unique_ptr<publish::Publisher> publisher;
  std::atomic<publish::Publisher*> live_publisher{nullptr};
  std::unique_ptr<preserve::PreserveCrypto> preserve_crypto;  // when preservation is configured
  std::unique_ptr<preserve::Preserver> preserver;
  std::atomic<preserve::Preserver*> live_preserver{nullptr};
  std::unique_ptr<DicomService> dicom;  // when configured

  bool ready(std::string& detail) {
    std::error_code ec;
    const bool storage = fs::is_directory(config.storage.ssmix2_root, ec);
    const auto follow = index->follow_status();
    detail = nlohmann::json{{"storage", storage},
                            {"index", scanned.load()},
                            {"following", follow.following},
                            {"inotify", follow.inotify}}
                 .dump();
    if (dicom) {
      auto j = nlohmann::json::parse(detail);
      j["dicom_import"] = dicom->import_done();
      detail = j.dump();
      return storage && scanned && dicom->import_done();
    }
    return storage && scanned;
  }
};

namespace {

std::unique_ptr<storage::StorageIndex> make_index(
    const GatewayConfig& c, std::function<void(const std::string&)> patient_changed) {
  storage::IndexOptions o;
  o.standard_root = c.storage.ssmix2_root;
  o.extended_root = c.storage.extended_root;
  o.cache_file = c.storage.state_dir + "/index.cache";
  o.threads = static_cast<unsigned>(c.storage.scan_threads);
  o.reconcile_interval = c.storage.reconcile_interval;
  o.progress_interval = std::chrono::seconds(5);
  o.on_progress = [](const storage::ScanProgress& p) {
    log::info(p.finished ? "storage scan finished" : "storage scan progress",
              {.component = "scanner",
               .duration_ms = p.elapsed_seconds * 1000,
               .count = static_cast<std::int64_t>(p.done),
               .rate = p.files_per_second});
  };
  // Changes found while following go to the portal and the preservation nodes through
  // their outboxes.
  o.on_patient_changed = std::move(patient_changed);
  o.on_problem = [](const storage::Problem& p) {
    log::warn("unusable file", {.component = "scanner", .detail = p.reason, .file = p.path});
  };
  return std::make_unique<storage::StorageIndex>(std::move(o));
}

// Who the portal says consented (GET /api/gw/v1/consented-patients, paged).
preserve::ConsentedPatients consented_patients_from(const PortalSettings& portal) {
  auto client = std::make_shared<http::BlockingHttpClient>(http::ClientSettings{.tls = portal.tls});
  return [client, url = portal.url] {
    std::vector<std::string> ids;
    std::string after;
    for (;;) {
      auto r =
          client->request({.url = url + "/api/gw/v1/consented-patients?limit=10000" +
                                  (after.empty() ? "" : "&after=" + http::percent_encode(after)),
                           .timeout = std::chrono::seconds(30)});
      const auto page = nlohmann::json::parse(r.body, nullptr, false);
      if (r.status != 200 || !page.is_object() || !page.contains("items"))
        throw Error(ErrorCode::kUnavailable, "portal unavailable",
                    "consented patients: HTTP " + std::to_string(r.status));
      const auto items = page["items"];
      for (const auto& id : items)
        ids.push_back(id.get<std::string>());
      if (!page["next_after"].is_string())
        return ids;
      after = page["next_after"].get<std::string>();
    }
  };
}

}  // namespace

Daemon::Daemon(GatewayConfig config) {
  std::error_code ec;
  fs::create_directories(config.storage.state_dir, ec);
  if (ec) {
    throw Error(ErrorCode::kInternal, "cannot start",
                "cannot create state_dir " + config.storage.state_dir + ": " + ec.message());
  }
  impl_ = std::make_unique<Impl>(std::move(config));
  impl_->index = make_index(impl_->config, [d = impl_.get()](const std::string& patient_id) {
    if (auto* p = d->live_publisher.load())
      p->patient_changed(patient_id);
    if (auto* p = d->live_preserver.load())
      p->patient_changed(patient_id);
  });
  const auto& c = impl_->config;
  if (c.dicom)
    impl_->dicom = std::make_unique<DicomService>(*c.dicom);
  publish::StudyLookup studies;
  if (auto* dicom = impl_->dicom.get()) {
    studies = [dicom](const std::string& patient_id) { return dicom->study_refs(patient_id); };
    // A new study goes to the portal's locator at once, not at the next resynchronisation.
    dicom->on_new_study([&live = impl_->live_publisher](const std::string& patient_id) {
      if (auto* p = live.load())
        p->patient_changed(patient_id);
    });
  }
  if (c.preservation) {
    impl_->preserve_crypto = std::make_unique<preserve::PreserveCrypto>(
        c.preservation->keys, c.preservation->signing_key_file, c.facility_oid);
    auto sender = c.preservation->sender;
    if (c.preservation->consented_only)
      sender.consented = consented_patients_from(c.portal);
    impl_->preserver = std::make_unique<preserve::Preserver>(
        *impl_->index, *impl_->preserve_crypto, c.storage.state_dir, std::move(sender));
  }
  if (!c.portal.url.empty()) {
    impl_->outbox = std::make_unique<publish::Outbox>(c.storage.state_dir);
    impl_->publisher = std::make_unique<publish::Publisher>(
        *impl_->index, *impl_->outbox,
        publish::PublisherSettings{.portal_url = c.portal.url,
                                   .tls = c.portal.tls,
                                   .facility_oid = c.facility_oid,
                                   .patient_authority = c.patient_authority,
                                   // Imaging studies in the locator entries.
                                   .studies = studies});
    impl_->directory_puller = std::make_unique<DirectoryPuller>(
        impl_->directory, DirectoryPullSettings{.portal_url = c.portal.url,
                                                .tls = c.portal.tls,
                                                .interval = c.directory.pull_interval});
  }
}

Daemon::~Daemon() {
  if (impl_->scanner.joinable())
    impl_->scanner.join();
  if (impl_->publisher)
    impl_->publisher->stop();
  if (impl_->preserver)
    impl_->preserver->stop();
  if (impl_->directory_puller)
    impl_->directory_puller->stop();
  impl_->index->stop_following();
  if (impl_->dicom)
    impl_->dicom->stop();
}

void Daemon::start() {
  Impl& d = *impl_;
  http::add_builtin_routes(
      *d.router, d.runtime.metrics(), [this](std::string& detail) { return impl_->ready(detail); },
      &d.readers);
  http::add_openapi_route(*d.router, openapi_document(), "nodes");
  if (d.dicom) {
    // Before the data routes: /gw/v1/patients/{id}/imaging is more specific than {category}.
    d.dicom->start();
    add_dicom_routes(*d.router,
                     {.store = d.dicom->store(),
                      .pacs = d.dicom->pacs(),
                      .access = {.verifier = d.verifier,
                                 .audit = d.audit,
                                 .facility_oid = d.config.facility_oid,
                                 .patient_authority = d.config.patient_authority,
                                 .directory = d.directory_puller ? &d.directory : nullptr,
                                 .unknown_users = d.config.directory.unknown_users}});
  }
  add_data_routes(*d.router, {.index = *d.index,
                              .verifier = d.verifier,
                              .audit = d.audit,
                              .settings = {.facility_oid = d.config.facility_oid,
                                           .patient_authority = d.config.patient_authority,
                                           .unknown_users = d.config.directory.unknown_users},
                              .directory = d.directory_puller ? &d.directory : nullptr,
                              .parsed_files = &d.parsed_files,
                              .readers = &d.readers});
  if (d.directory_puller)
    d.directory_puller->start();
  if (d.publisher) {
    d.router->add_blocking(
        "GET", "/gw/v1/publish/status",
        [&d](http::Request& req) {
          d.readers.require(req);
          return http::Response::json(200, d.publisher->status().dump());
        },
        {.body_limit = 0, .summary = "what the portal has not acknowledged yet"});
  }
  if (d.preserver) {
    d.router->add_blocking(
        "GET", "/gw/v1/preserve/status",
        [&d](http::Request& req) {
          d.readers.require(req);
          return http::Response::json(200, d.preserver->status().dump());
        },
        {.body_limit = 0, .summary = "what the preservation nodes have not acknowledged yet"});
  }
  d.runtime.server().listen(d.config.listener, d.router);
  // The first scan can take minutes on a large storage; the daemon answers /healthz
  // meanwhile and /readyz once the index is complete.
  d.scanner = std::thread([&d] {
    d.index->scan();
    if (d.publisher) {
      d.live_publisher = d.publisher.get();
      d.publisher->resync();  // whatever changed while we were down, or was never sent
      d.publisher->start();
    }
    if (d.preserver) {
      d.live_preserver = d.preserver.get();
      d.preserver->resync();
      d.preserver->start();
    }
    d.index->start_following();
    d.scanned = true;
  });
  d.runtime.on_stop([&d] {
    if (d.scanner.joinable())
      d.scanner.join();
    if (d.publisher)
      d.publisher->stop();
    if (d.preserver)
      d.preserver->stop();
    if (d.directory_puller)
      d.directory_puller->stop();
    d.index->stop_following();
    if (d.dicom)
      d.dicom->stop();
  });
}

void Daemon::run() {
  impl_->runtime.run();
}

nlohmann::json Daemon::routes() const {
  return {{"nodes", http::route_listing(*impl_->router)}};
}

std::map<std::string, int> Daemon::ports() const {
  std::map<std::string, int> ports{{"nodes", impl_->runtime.server().port("nodes")}};
  if (impl_->dicom)
    ports["dicom"] = impl_->dicom->port();
  return ports;
}

}  // namespace hareyaka::gateway
