#include "portal/config.hpp"

#include <stdexcept>

#include "hpd/dsml/dn.hpp"
#include "hpd/oid.hpp"
#include "portal/viewer/categories.hpp"

namespace hareyaka::portal {
namespace {

SecretBox read_totp_keys(const config::ConfigNode& auth_node) {
  std::vector<BoxKey> keys;
  for (auto& k : auth_node.array_or_empty("totp_encryption_keys")) {
    try {
      keys.push_back(make_box_key(k.string("id"), k.secret("key")));
    } catch (const std::invalid_argument& e) {
      throw config::ConfigError("configuration key '" + k.path() + "': " + e.what());
    }
    k.finish();
  }
  try {
    return SecretBox(std::move(keys));
  } catch (const std::invalid_argument& e) {
    throw config::ConfigError("configuration key 'auth.totp_encryption_keys': " +
                              std::string(e.what()));
  }
}

}  // namespace

PortalConfig load_portal_config(const std::string& path) {
  const auto json = config::load_file(path);
  config::ConfigNode root(json, "");
  PortalConfig c;
  if (auto n = root.optional_child("log"))
    c.log = config::read_log(*n);
  if (auto n = root.optional_child("runtime"))
    c.runtime = read_runtime(*n);
  {
    auto db = root.child("database");
    c.database.conninfo = db.secret("conninfo");
    c.database.pool_size = static_cast<int>(db.integer_or("pool_size", 16, 1, 1000));
    db.finish();
  }
  {
    auto listeners = root.child("listeners");
    c.web = config::read_listener(listeners.child("web"), "web");
    c.nodes = config::read_listener(listeners.child("nodes"), "nodes");
    listeners.finish();
    if (c.nodes.tls.client_auth != tls::ClientAuth::kRequire) {
      throw config::ConfigError(
          "configuration key 'listeners.nodes.client_auth' must be 'require': gateways and "
          "peer portals are authenticated by their network certificates");
    }
  }
  if (auto n = root.optional_child("network")) {
    c.network_root_oid = n->string_or("root_oid", c.network_root_oid);
    n->finish();
  }
  c.pix.device_oid = c.network_root_oid + ".0.1";
  if (auto n = root.optional_child("pix")) {
    c.pix.device_oid = n->string_or("device_oid", c.pix.device_oid);
    c.pix.auto_link_threshold =
        static_cast<double>(n->integer_or("auto_link_threshold", 20, 1, 1000));
    c.pix.review_threshold = static_cast<double>(n->integer_or("review_threshold", 10, 0, 1000));
    if (c.pix.review_threshold >= c.pix.auto_link_threshold) {
      throw config::ConfigError(
          "configuration key 'pix.review_threshold' must be below 'pix.auto_link_threshold'");
    }
    for (auto& consumer : n->array_or_empty("consumers")) {
      c.pix.consumers[consumer.string("name")] = consumer.string("url");
      consumer.finish();
    }
    c.pix.notify_interval = n->millis_or("notify_interval_ms", c.pix.notify_interval);
    for (auto& node : n->array_or_empty("registry_wide_nodes")) {
      RegistryWideNode e{node.string("name"), node.string("sha256"), node.string("reason")};
      node.finish();
      if (e.sha256.size() != 64 ||
          e.sha256.find_first_not_of("0123456789abcdef") != std::string::npos) {
        throw config::ConfigError(
            "configuration key 'pix.registry_wide_nodes[].sha256' must be a lower-case hex "
            "SHA-256 certificate fingerprint (64 digits)");
      }
      if (e.reason.empty()) {
        throw config::ConfigError(
            "configuration key 'pix.registry_wide_nodes[].reason' must say why the node may "
            "query the whole registry (it is written to the audit of each query)");
      }
      c.pix.registry_wide_nodes.push_back(std::move(e));
    }
    n->finish();
  }
  if (auto n = root.optional_child("xcpd")) {
    c.xcpd.home_community_id = n->string("home_community_id");
    if (!hpd::is_valid_oid(c.xcpd.home_community_id)) {
      throw config::ConfigError("configuration key 'xcpd.home_community_id' must be an OID");
    }
    c.xcpd.patient_id_authority =
        n->string_or("patient_id_authority", c.xcpd.home_community_id + ".1");
    if (!hpd::is_valid_oid(c.xcpd.patient_id_authority)) {
      throw config::ConfigError("configuration key 'xcpd.patient_id_authority' must be an OID");
    }
    c.xcpd.minimum_degree = static_cast<int>(n->integer_or("minimum_degree", 90, 50, 100));
    c.xcpd.deadline = n->millis_or("deadline_ms", c.xcpd.deadline);
    c.xcpd.cache_ttl =
        std::chrono::seconds(n->integer_or("cache_ttl_s", c.xcpd.cache_ttl.count(), 0, 86400));
    for (auto& peer : n->array_or_empty("peers")) {
      PeerCommunity p{peer.string("name"), peer.string("home_community_id"), peer.string("sha256"),
                      peer.string_or("url", ""), peer.string_or("ca_file", "")};
      p.categories = peer.strings_or("categories", {});
      p.xca_url = peer.string_or("xca_url", "");
      for (const auto& category : p.categories) {
        if (!portal_categories().contains(category)) {
          throw config::ConfigError("configuration key 'xcpd.peers[].categories' names '" +
                                    category + "', which is not a data category");
        }
      }
      if (!p.xca_url.empty() && p.xca_url.rfind("https://", 0) != 0) {
        throw config::ConfigError(
            "configuration key 'xcpd.peers[].xca_url' must be an https:// URL (mutual TLS)");
      }
      if (!p.url.empty() && p.url.rfind("https://", 0) != 0) {
        throw config::ConfigError(
            "configuration key 'xcpd.peers[].url' must be an https:// URL (mutual TLS)");
      }
      peer.finish();
      if (!hpd::is_valid_oid(p.home_community_id)) {
        throw config::ConfigError(
            "configuration key 'xcpd.peers[].home_community_id' must be an OID");
      }
      if (p.sha256.size() != 64 ||
          p.sha256.find_first_not_of("0123456789abcdef") != std::string::npos) {
        throw config::ConfigError(
            "configuration key 'xcpd.peers[].sha256' must be a lower-case hex SHA-256 "
            "certificate fingerprint (64 digits)");
      }
      c.xcpd.peers.push_back(std::move(p));
    }
    n->finish();
  }
  if (auto n = root.optional_child("hpd")) {
    c.hpd.base_dn = n->string_or("base_dn", c.hpd.base_dn);
    c.hpd.extra_base_dns = n->strings_or("extra_base_dns", {});
    c.hpd.max_results = static_cast<int>(n->integer_or("max_results", 500, 1, 100000));
    c.hpd.max_time = std::chrono::seconds(n->integer_or("max_time_seconds", 30, 1, 3600));
    c.hpd.feed_nodes = n->fingerprints_or("feed_nodes");
    std::vector<std::string> bases = c.hpd.extra_base_dns;
    bases.push_back(c.hpd.base_dn);
    for (const auto& dn : bases) {
      std::string why;
      auto parsed = hpd::dsml::parse_dn(dn, &why);
      if (!parsed || parsed->empty()) {
        throw config::ConfigError("configuration key 'hpd.base_dn' / 'hpd.extra_base_dns': \"" +
                                  dn + "\" is not a DN" + (why.empty() ? "" : ": " + why));
      }
    }
    n->finish();
  }
  c.assertion_signing_key = root.string("assertion_signing_key");
  c.metrics_readers = root.fingerprints_or("metrics_readers");
  c.web_root = root.string_or("web_root", "");
  if (auto n = root.optional_child("care")) {
    c.care_attachments_dir = n->string_or("attachments_dir", "");
    n->finish();
  }
  c.atna.source.enterprise_site_id = c.network_root_oid;
  if (auto n = root.optional_child("audit_export")) {
    c.atna.host = n->string("host");
    c.atna.port = static_cast<std::uint16_t>(n->integer_or("port", 6514, 1, 65535));
    c.atna.tls = config::read_tls_client(n->child("tls"));
    c.atna.source.audit_source_id = n->string_or("audit_source_id", "hareyaka-portal");
    c.atna.source.hostname = n->string_or("hostname", "-");
    c.atna.interval = n->millis_or("interval_ms", c.atna.interval);
    n->finish();
  }
  if (auto n = root.optional_child("viewer")) {
    c.gateway_deadline = n->millis_or("gateway_deadline_ms", c.gateway_deadline);
    n->finish();
  }
  if (auto n = root.optional_child("auth")) {
    c.auth.session_idle = std::chrono::seconds(n->integer_or("session_idle_s", 1800, 1, 86400));
    c.auth.session_absolute =
        std::chrono::seconds(n->integer_or("session_absolute_s", 12 * 3600, 300, 7 * 86400));
    c.auth.max_failures = static_cast<int>(n->integer_or("max_failures", 5, 1, 100));
    c.auth.lock_for = std::chrono::seconds(n->integer_or("lock_s", 900, 1, 7 * 86400));
    c.auth.hpki_ca_files = n->strings_or("hpki_ca_files", {});
    c.auth.hpki_crl_files = n->strings_or("hpki_crl_files", {});
    c.auth.fast_password_hashing = n->boolean_or("fast_password_hashing_for_tests", false);
    c.auth.totp_box = read_totp_keys(*n);
    n->finish();
  }
  if (auto n = root.optional_child("hpd_feed")) {
    c.hpd_feed.interval = n->millis_or("interval_ms", c.hpd_feed.interval);
    c.hpd_feed.max_backoff = n->millis_or("max_backoff_ms", c.hpd_feed.max_backoff);
    c.hpd_feed.timeout = n->millis_or("timeout_ms", c.hpd_feed.timeout);
    n->finish();
  }
  if (auto n = root.optional_child("client_tls"))
    c.client_tls = config::read_tls_client(*n);
  root.finish();
  return c;
}

}  // namespace hareyaka::portal
