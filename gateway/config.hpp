// The gateway's configuration, read once by the composition root (gateway/main.cpp).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/assertion.hpp"
#include "common/config.hpp"
#include "common/http_client.hpp"
#include "common/http_server.hpp"
#include "common/log.hpp"
#include "common/runtime.hpp"
#include "common/secret_box.hpp"
#include "gateway/directory/directory_cache.hpp"
#include "gateway/preserve/preserver.hpp"

namespace hareyaka::gateway {

struct StorageSettings {
  std::string ssmix2_root;    // SS-MIX2 standard storage
  std::string extended_root;  // SS-MIX2 extended storage (optional)
  std::string state_dir;      // index cache and outbox (must survive restarts)
  std::chrono::milliseconds reconcile_interval{60'000};
  int scan_threads = 2;
};

struct PortalSettings {
  std::string url;  // https://portal:port (the portal's node listener)
  tls::ClientSettings tls;
};

// The directory pulled from the portal (needs the portal section).
struct DirectorySettings {
  std::chrono::milliseconds pull_interval{60'000};
  UnknownUserPolicy unknown_users = UnknownUserPolicy::kAfterFirstPull;
};

// The hospital PACS, for query/retrieve instead of (or besides) holding copies.
struct PacsNodeSettings {
  std::string called_ae;  // the PACS's AE title
  std::string host;
  int port = 104;
  bool use_cget = false;            // "mode": "cmove" (default) or "cget"
  std::string move_destination_ae;  // our SCP as the PACS knows it (default: our AE title)
  std::chrono::milliseconds timeout{30'000};
};

// The optional "dicom" section: a storage SCP, an index and the DICOMweb/WADO routes.
struct DicomSettings {
  std::string storage_dir;
  std::string ae_title = "HAREYAKA";
  int port = 104;  // 0: any free port (written to the ports file as "dicom")
  std::vector<std::string> allowed_calling_aes;  // empty: any
  int max_associations = 8;
  std::string import_dir;  // imported (folder and DICOMDIR) at start, when set
  std::optional<PacsNodeSettings> pacs;
};

// The optional "preservation" section (issue #20): where the minimum data set is preserved
// and the keys it is sealed and signed with (docs/operations.md "Preservation").
struct PreservationSettings {
  std::vector<BoxKey> keys;            // the hospital's preservation keys; the first seals
  std::string signing_key_file;        // the gateway's Ed25519 preservation key (PEM)
  preserve::PreserverSettings sender;  // nodes, data types, retry and resync
  bool consented_only = true;          // "patients": "consented" (the portal says who) or "all"
};

struct GatewayConfig {
  log::Settings log;
  RuntimeSettings runtime;
  std::string facility_oid;
  std::string patient_authority;     // default: facility_oid + ".1"
  std::string assertion_public_key;  // the portal's Ed25519 public key (PEM)
  AssertionPolicy assertions;        // "assertions": lifetime, clock skew, replay cache size
  // Certificates (lower-case hex SHA-256 of the DER) that may read the node endpoints
  // (/gw/v1/stats, /gw/v1/problems, /gw/v1/publish/status): the portal's client
  // certificates and the operators' monitoring. Empty: nobody.
  std::vector<std::string> node_readers;
  http::ListenerSettings listener;  // the portal's calls: mutual TLS with the network CA
  StorageSettings storage;
  PortalSettings portal;
  DirectorySettings directory;
  std::optional<DicomSettings> dicom;
  std::optional<PreservationSettings> preservation;
};

GatewayConfig load_gateway_config(const std::string& path);
// The "assertions" section (lifetime, clock skew, replay cache), shared with the hosted gateway.
AssertionPolicy read_assertion_policy(const config::ConfigNode& node);

}  // namespace hareyaka::gateway
