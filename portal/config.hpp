// The portal's configuration, read once by the composition root (portal/main.cpp).
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "common/config.hpp"
#include "common/http_server.hpp"
#include "common/log.hpp"
#include "common/runtime.hpp"
#include "common/secret_box.hpp"
#include "portal/atna_sender.hpp"

namespace hareyaka::portal {

struct DatabaseSettings {
  std::string conninfo;  // secret: may hold a password
  int pool_size = 16;
};

// A configured exception: the node with this certificate may query the whole registry.
struct RegistryWideNode {
  std::string name;    // who it is, for the audit ("mpi-review-tool")
  std::string sha256;  // its certificate's SHA-256 fingerprint (lower-case hex)
  std::string reason;  // why it may (the decision that allowed it), audited with each query
};

struct PixSettings {
  std::string device_oid;  // this identity manager's device id (default: network root + ".0.1")
  double auto_link_threshold = 20;
  double review_threshold = 10;
  std::map<std::string, std::string> consumers;  // ITI-46 consumer name -> URL
  std::chrono::milliseconds notify_interval{2000};
  // Nodes that may query the whole registry (ITI-45/47) rather than their facility's patients:
  // a configured exception, named in the audit record of each of their queries.
  std::vector<RegistryWideNode> registry_wide_nodes;
};

// A peer community (another regional network) that may ask this one over IHE XCPD.
struct PeerCommunity {
  std::string name;               // for the audit ("hm-net")
  std::string home_community_id;  // its homeCommunityId (OID); its messages must say the same
  std::string sha256;   // its responding/initiating gateway's certificate (lower-case hex)
  std::string url;      // its responding gateway (ITI-55); empty: it asks us, we never ask it
  std::string ca_file;  // the CA its server certificate chains to (default: client_tls.ca_file)
  // The portal categories the agreement between the two networks covers: what it may query
  // and retrieve over IHE XCA (ITI-38/39), within each patient's consent. Empty: nothing.
  std::vector<std::string> categories;
  std::string xca_url;  // its XCA responding gateway (ITI-38/39); empty: we never query it
};

// This network as an XCPD community: unset home_community_id answers nobody.
struct XcpdConfig {
  std::string home_community_id;
  std::string patient_id_authority;  // default: home_community_id + ".1"
  int minimum_degree = 90;
  std::vector<PeerCommunity> peers;
  std::chrono::milliseconds deadline{3000};  // for each peer's answer
  std::chrono::seconds cache_ttl{3600};      // a correlation with a peer is asked again after
};

// The IHE HPD directory (/hpd): its DIT suffixes, the server size limit and which nodes
// (by certificate SHA-256 fingerprint) may send ITI-59 feeds.
struct HpdDirectorySettings {
  std::string base_dn = "dc=HPD,o=Hareyaka,c=JP";
  std::vector<std::string> extra_base_dns;
  int max_results = 500;
  std::chrono::seconds max_time{30};  // server time limit per search
  std::vector<std::string> feed_nodes;
};

struct AuthSettings {
  std::chrono::seconds session_idle{1800};
  std::chrono::seconds session_absolute{12 * 3600};
  int max_failures = 5;
  std::chrono::seconds lock_for{900};
  std::vector<std::string> hpki_ca_files;  // empty: no HPKI login
  std::vector<std::string> hpki_crl_files;
  bool fast_password_hashing = false;  // tests and the demo only: argon2id at minimum cost
  // auth.totp_encryption_keys [{"id", "key": secret (base64 of 32 bytes)}], first current.
  // No keys: TOTP secrets stay plain base32 in the database (dev only; warned at start).
  SecretBox totp_box;
};

// The portal as an HPD feed source (ITI-59 to the connected systems of the admin console);
// entries are sent under hpd.base_dn.
struct HpdFeedSettings {
  std::chrono::milliseconds interval{2000};
  std::chrono::milliseconds max_backoff{300'000};
  std::chrono::milliseconds timeout{15'000};  // per request to a connected system
};

struct PortalConfig {
  log::Settings log;
  RuntimeSettings runtime;
  DatabaseSettings database;
  http::ListenerSettings web;    // browsers: HTTPS, optional HPKI client certificates
  http::ListenerSettings nodes;  // gateways and peers: mutual TLS with the network CA
  std::string network_root_oid = "1.2.392.200284";
  PixSettings pix;
  XcpdConfig xcpd;
  HpdDirectorySettings hpd;
  AuthSettings auth;
  AtnaSettings atna;     // export of the audit log to an ATNA repository (syslog/TLS)
  std::string web_root;  // the web UI's files (portal/web); empty: no UI on this portal
  // The care team's attachments (a content-addressed folder, created at start); empty: none
  // are kept, and attaching answers 503.
  std::string care_attachments_dir;
  std::string assertion_signing_key;  // Ed25519 private key (PEM) for access assertions
  // SHA-256 fingerprints of the certificates that may scrape /metrics on the node listener
  // (the operators' monitoring); empty: nobody.
  std::vector<std::string> metrics_readers;
  std::chrono::milliseconds gateway_deadline{3000};
  tls::ClientSettings client_tls;  // the portal as a client of gateways and consumers
  HpdFeedSettings hpd_feed;        // uses client_tls towards the connected systems
};

// Throws config::ConfigError naming the file or key at fault.
PortalConfig load_portal_config(const std::string& path);

}  // namespace hareyaka::portal
