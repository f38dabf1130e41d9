// The hosted gateway's configuration (issue #17), read once by gateway/hosted/main.cpp.
// docs/operations.md "Hosted disclosure" documents every key.
#pragma once

#include <string>
#include <vector>

#include "common/assertion.hpp"
#include "common/config.hpp"
#include "common/http_server.hpp"
#include "common/log.hpp"
#include "common/runtime.hpp"
#include "gateway/config.hpp"
#include "gateway/hosted/ssmix2_upload.hpp"
#include "gateway/hosted/tenant.hpp"

namespace hareyaka::gateway::hosted {

struct HostedConfig {
  log::Settings log;
  RuntimeSettings runtime;
  std::string assertion_public_key;  // the portal's Ed25519 public key (PEM)
  AssertionPolicy assertions;
  std::vector<std::string> node_readers;  // may read the status routes
  http::ListenerSettings listener;        // mutual TLS with the network CA
  std::string tenants_dir;                // one folder per tenant
  std::string state_dir;                  // the directory copy
  std::string portal_url;                 // empty: nothing is published
  std::string portal_ca_file;             // the CA the portal's certificate chains to
  DirectorySettings directory;
  UploadLimits limits;
  int publish_threads = 2;  // threads sending every tenant's feeds and locators
  std::vector<TenantSettings> tenants;
};

HostedConfig load_hosted_config(const std::string& path);

}  // namespace hareyaka::gateway::hosted
