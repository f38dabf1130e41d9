#include "portal/daemon.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/assertion.hpp"
#include "common/http_client.hpp"
#include "common/migrations.hpp"
#include "common/openapi.hpp"
#include "common/peer_certificate.hpp"
#include "common/pg.hpp"
#include "common/router.hpp"
#include "consent/decision.hpp"
#include "hpd/pg_directory_store.hpp"
#include "pix/pg_identity_store.hpp"
#include "pix/service.hpp"
#include "portal/admin/admin_api.hpp"
#include "portal/audit/audit_log.hpp"
#include "portal/auth/authenticator.hpp"
#include "portal/auth/hpki_verifier.hpp"
#include "portal/auth/session_store.hpp"
#include "portal/care/care_routes.hpp"
#include "portal/disaster/declarations.hpp"
#include "portal/disaster/disaster_admin.hpp"
#include "portal/fhir/fhir_routes.hpp"
#include "portal/hpd_feed/directory_pull.hpp"
#include "portal/hpd_feed/dsml_feed_codec.hpp"
#include "portal/hpd_feed/feed_admin.hpp"
#include "portal/hpd_feed/feed_sender.hpp"
#include "portal/hpd_routes.hpp"
#include "portal/locators/locator_routes.hpp"
#include "portal/openapi_document.hpp"
#include "portal/pix_routes.hpp"
#include "portal/schema.hpp"
#include "portal/stats/stats_rollup.hpp"
#include "portal/stats/stats_routes.hpp"
#include "portal/totp_keys.hpp"
#include "portal/uploads/form_routes.hpp"
#include "portal/uploads/upload_routes.hpp"
#include "portal/viewer/imaging_api.hpp"
#include "portal/viewer/person_directory.hpp"
#include "portal/viewer/viewer_api.hpp"
#include "portal/web_assets.hpp"
#include "portal/web_session.hpp"
#include "portal/xca_initiator.hpp"
#include "portal/xca_responder.hpp"
#include "portal/xcpd_initiator.hpp"

namespace hareyaka::portal {
namespace {

std::map<std::string, std::string> community_names(const XcpdConfig& xcpd) {
  std::map<std::string, std::string> names;
  for (const auto& peer : xcpd.peers)
    names[peer.home_community_id] = peer.name;
  return names;
}

std::string client_certificate_sha256(const tls::ClientSettings& tls) {
  if (tls.cert_file.empty()) {
    log::warn("client_tls has no cert_file: gateways will refuse this portal's assertions",
              {.component = "viewer"});
    return {};
  }
  return http::certificate_file_sha256(tls.cert_file);
}

pix::StoreSettings pix_store_settings(const PortalConfig& c) {
  pix::StoreSettings s;
  s.match.auto_link_threshold = c.pix.auto_link_threshold;
  s.match.review_threshold = c.pix.review_threshold;
  for (const auto& [name, url] : c.pix.consumers)
    s.notification_consumers.push_back(name);
  return s;
}

pix::ServiceSettings pix_service_settings(const PortalConfig& c) {
  pix::ServiceSettings s;
  s.device = {.device_id = c.pix.device_oid, .organization_id = c.network_root_oid};
  return s;
}

auth::AuthenticatorSettings authenticator_settings(const PortalConfig& c) {
  auth::AuthenticatorSettings s;
  if (c.auth.fast_password_hashing)
    s.hashing = auth::PasswordHashing::fastest_for_tests();
  s.lockout = {.max_failures = c.auth.max_failures, .lock_for = c.auth.lock_for};
  s.totp_box = c.auth.totp_box;
  return s;
}

// The care team's attachment store, its folder created (mode 0700) when configured.
std::optional<ContentStore> care_attachments(const PortalConfig& c) {
  if (c.care_attachments_dir.empty())
    return std::nullopt;
  std::error_code ec;
  std::filesystem::create_directories(c.care_attachments_dir, ec);
  if (!ec)
    std::filesystem::permissions(c.care_attachments_dir, std::filesystem::perms::owner_all, ec);
  if (ec)
    throw config::ConfigError("configuration key 'care.attachments_dir': cannot use " +
                              c.care_attachments_dir + ": " + ec.message());
  return ContentStore(c.care_attachments_dir);
}

std::unique_ptr<auth::HpkiVerifier> make_hpki(const PortalConfig& c) {
  if (c.auth.hpki_ca_files.empty())
    return nullptr;
  return std::make_unique<auth::HpkiVerifier>(
      auth::HpkiSettings{.ca_files = c.auth.hpki_ca_files, .crl_files = c.auth.hpki_crl_files});
}

hpd::HpdSettings hpd_settings(const PortalConfig& c) {
  hpd::HpdSettings s;
  s.dit.base_dn = c.hpd.base_dn;
  s.dit.network_root = c.network_root_oid;
  s.extra_base_dns = c.hpd.extra_base_dns;
  s.max_results = static_cast<std::uint32_t>(c.hpd.max_results);
  s.max_time = c.hpd.max_time;
  return s;
}

// Every ITI-59 change, recorded in the change's own transaction.
audit::AuditEvent hpd_audit_event(const hpd::HpdChange& change, const hpd::HpdCaller& caller) {
  audit::AuditEvent e;
  e.type = audit::EventType::kAdminAction;
  e.outcome = audit::Outcome::kSuccess;
  e.actor_user = caller.name;
  e.actor_facility = caller.facility_oid;
  e.reason = "hpd_" + std::string(hpd::dsml::response_element(change.operation));
  e.detail = "ITI-59 " + std::string(hpd::to_string(change.kind)) + " " + change.dn;
  if (change.new_dn != change.dn)
    e.detail += " -> " + change.new_dn;
  if (change.facility_oid)
    e.source_facility = *change.facility_oid;
  return e;
}

}  // namespace

// The composition of the portal: every store on one pool, the services over them, and the
// routes of the two listeners.
struct Daemon::Impl {
  explicit Impl(PortalConfig c)
      : config(std::move(c)),
        runtime(config.runtime),
        pool({.conninfo = config.database.conninfo, .size = config.database.pool_size}),
        directory(pool, config.network_root_oid),
        identities(pool, pix_store_settings(config)),
        pix_service(identities, pix_service_settings(config)),
        authenticator(directory, pool, authenticator_settings(config)),
        sessions(pool,
                 {.idle = config.auth.session_idle, .absolute = config.auth.session_absolute}),
        audit(pool),
        hpki(make_hpki(config)),
        web_services{.directory = directory,
                     .authenticator = authenticator,
                     .sessions = sessions,
                     .audit = audit,
                     .hpki = hpki.get(),
                     .idle_timeout = config.auth.session_idle},
        hpd_service(pool, hpd_settings(config),
                    [](pg::Tx& tx, const hpd::HpdChange& change, const hpd::HpdCaller& caller) {
                      audit::AuditLog::append_in(tx, hpd_audit_event(change, caller),
                                                 std::chrono::system_clock::now());
                    }),
        persons(pool, config.network_root_oid),
        locators(pool),
        decider(pool),
        // Every assertion names the certificate the portal presents to gateways, so that
        // no other node's connection can use it.
        signer(config.assertion_signing_key, client_certificate_sha256(config.client_tls)),
        // Every view calls each source gateway at once: keep enough connections per gateway
        // for a burst of concurrent users, or each burst pays new TLS handshakes.
        gateways(runtime.io().get_executor(),
                 http::ClientSettings{.tls = config.client_tls, .max_idle_per_host = 256}),
        viewer{.web = web_services,
               .persons = persons,
               .decider = decider,
               .signer = signer,
               .gateways = gateways,
               .workers = runtime.workers(),
               .gateway_deadline = config.gateway_deadline,
               .locators = &locators,
               .standbys = [this](hpd::TimePoint now) { return disaster::in_force(pool, now); }},
        admin{.web = web_services,
              .pool = pool,
              .identities = identities,
              .network_root = config.network_root_oid,
              .hashing = authenticator_settings(config).hashing,
              .hpd = &hpd_service},
        feed_codec({.base_dn = config.hpd.base_dn, .network_root = config.network_root_oid}),
        feed_sender(pool, feed_codec,
                    {.client = {.tls = config.client_tls},
                     .interval = config.hpd_feed.interval,
                     .max_backoff = config.hpd_feed.max_backoff,
                     .timeout = config.hpd_feed.timeout}),
        stats_rollup(pool, {.metrics = &runtime.metrics()}),
        stats{.admin = admin,
              .rollup = stats_rollup,
              .community_names = community_names(config.xcpd)} {}

  PortalConfig config;
  Runtime runtime;
  pg::Pool pool;
  hpd::PgDirectoryStore directory;
  pix::PgIdentityStore identities;
  pix::Service pix_service;
  auth::Authenticator authenticator;
  auth::SessionStore sessions;
  audit::AuditLog audit;
  std::unique_ptr<auth::HpkiVerifier> hpki;
  WebServices web_services;
  hpd::HpdService hpd_service;
  PersonDirectory persons;
  LocatorStore locators;
  consent::Decider decider;
  AssertionSigner signer;
  http::HttpClient gateways;
  ViewerServices viewer;
  admin::AdminServices admin;
  hpd_feed::DsmlFeedCodec feed_codec;
  hpd_feed::FeedSender feed_sender;
  stats::StatsRollup stats_rollup;
  stats::StatsServices stats;
  NodeScope node_scope{pool, config.pix.registry_wide_nodes};
  XcpdInitiator xcpd_initiator{config.xcpd, config.client_tls, node_scope, pix_service};
  XcaInitiator xca_initiator{config.xcpd, config.client_tls};
  XcaServices xca{.xcpd = config.xcpd,
                  .network_root = config.network_root_oid,
                  .pool = pool,
                  .directory = directory,
                  .locators = locators,
                  .signer = signer,
                  .gateways = gateways,
                  .workers = runtime.workers(),
                  .audit = audit,
                  .gateway_deadline = config.gateway_deadline,
                  .assertion_lifetime = viewer.assertion_lifetime,
                  .standbys = viewer.standbys};
  fhir::SmartAuth smart{web_services, pool};
  fhir::FhirServices fhir_services{.viewer = viewer, .smart = smart};
  care::CareServices care{.web = web_services,
                          .persons = persons,
                          .pool = pool,
                          .attachments = care_attachments(config)};
  // A facility data manager's uploads go to its facility's gateway over the viewer's client.
  UploadServices uploads{.web = web_services,
                         .signer = signer,
                         .gateways = gateways,
                         .workers = runtime.workers(),
                         .assertion_lifetime = viewer.assertion_lifetime};
  // The web form of a facility without an EMR: registrations with consent, and documents.
  FormServices forms{.uploads = uploads, .pool = pool};
  http::PeerAllowlist metrics_readers{config.metrics_readers, "the portal's metrics"};
  std::unique_ptr<PixNotifier> notifier;
  std::unique_ptr<AtnaSender> atna;
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
  Impl& d = *impl_;
  // Two portals starting together serialise on the migration lock.
  const auto report = pg::apply_migrations(d.pool, all_migrations());
  log::info("schema ready", {.count = report.applied});
  secure_totp_secrets_at_start(d.pool, d.config.auth.totp_box);
  auto ready = [&d](std::string& detail) { return d.ready(detail); };
  // /metrics only on the node listener (mutual TLS with the network CA), never for browsers,
  // and only for the certificates in metrics_readers (the network's use is in its counters).
  http::add_builtin_routes(*d.web, d.runtime.metrics(), ready, nullptr);
  http::add_builtin_routes(*d.nodes, d.runtime.metrics(), ready, &d.metrics_readers);
  http::add_openapi_route(*d.web, openapi_document(), "web");
  http::add_openapi_route(*d.nodes, openapi_document(), "nodes");
  add_session_routes(*d.web, d.web_services);
  // Before the viewer's /persons/{person_id}/{category}: the first matching route answers.
  add_xcpd_discovery_route(*d.web, d.viewer, d.xcpd_initiator);
  add_xca_records_route(*d.web, d.viewer, d.xcpd_initiator, d.xca_initiator, d.pool);
  add_viewer_routes(*d.web, d.viewer);
  care::add_care_routes(*d.web, d.care);
  add_upload_routes(*d.web, d.uploads);
  add_form_routes(*d.web, d.forms);
  fhir::add_fhir_routes(*d.web, d.fhir_services);
  add_imaging_routes(*d.web, d.viewer);
  // Last: its "/{file}" pattern must not shadow the API routes above.
  add_web_asset_routes(*d.web, d.config.web_root);
  admin::add_admin_routes(*d.web, d.admin);
  hpd_feed::add_feed_admin_routes(*d.web, d.admin);
  stats::add_stats_routes(*d.web, d.stats);
  disaster::add_disaster_routes(*d.web, d.admin);
  fhir::add_fhir_client_routes(*d.web, d.admin);
  hpd_feed::add_directory_pull_routes(*d.nodes, d.pool);
  NodeFacilityLookup facility_of = [&d](const std::string& sha256) {
    return d.node_scope.facility_of(sha256);
  };
  add_pix_routes(*d.nodes, d.pix_service, d.config.network_root_oid, d.node_scope, d.audit);
  add_xcpd_routes(*d.nodes, d.pix_service, d.config.xcpd, d.node_scope, d.audit);
  add_xca_routes(*d.nodes, d.xca);
  add_locator_routes(*d.nodes, d.locators, facility_of);
  add_consented_patients_route(*d.nodes, d.pool, facility_of);

  if (const auto n = d.hpd_service.refresh_indexes(); n > 0)
    log::info("HPD entries reindexed", {.component = "hpd", .count = static_cast<int>(n)});
  add_hpd_routes(*d.nodes, d.hpd_service,
                 {.feed_node_fingerprints = d.config.hpd.feed_nodes,
                  .on_feed_refused = [&d](const hpd::HpdCaller& caller) {
                    audit::AuditEvent e;
                    e.type = audit::EventType::kAdminAction;
                    e.outcome = audit::Outcome::kDenied;
                    e.actor_user = caller.name;
                    e.reason = "hpd_feed_refused";
                    e.detail = "ITI-59 feed from a node that may not feed";
                    d.audit.append(e, std::chrono::system_clock::now());
                  }});

  std::map<std::string, NotificationConsumer> consumers;
  for (const auto& [name, url] : d.config.pix.consumers)
    consumers[name] = {name, url};
  d.notifier = std::make_unique<PixNotifier>(d.identities, d.pix_service, std::move(consumers),
                                             http::ClientSettings{.tls = d.config.client_tls},
                                             d.config.pix.notify_interval);
  d.notifier->start();
  d.atna = std::make_unique<AtnaSender>(d.audit, d.config.atna);
  d.atna->start();
  d.feed_sender.start();
  d.stats_rollup.start();
  d.runtime.on_stop([&d] {
    d.stats_rollup.stop();
    d.feed_sender.stop();
    d.notifier->stop();
    d.atna->stop();
  });

  d.runtime.server().listen(d.config.web, d.web);
  d.runtime.server().listen(d.config.nodes, d.nodes);
}

void Daemon::run() {
  impl_->runtime.run();
}

nlohmann::json Daemon::routes() const {
  return {{"web", http::route_listing(*impl_->web)}, {"nodes", http::route_listing(*impl_->nodes)}};
}

std::map<std::string, int> Daemon::ports() const {
  return {{"web", impl_->runtime.server().port("web")},
          {"nodes", impl_->runtime.server().port("nodes")}};
}

}  // namespace hareyaka::portal
