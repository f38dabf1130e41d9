// Deleting a hosted tenant (issue #17): its records leave the network and its data the disk,
// with nothing half-done at any moment.
//
// `hareyaka-hosted delete-tenant --config FILE --tenant ID`, with the daemon stopped (the
// daemon holds <state_dir>/hosted.lock while it runs):
//   1. de-registers the facility's records at the portal: every locator entry the portal holds
//      for the tenant is deleted, with the tenant's own certificate (the portal answers only
//      its own entries). If the portal cannot be reached nothing is deleted anywhere
//      (--local-only skips this step, for a portal that already retired the facility);
//   2. renames <tenants_dir>/<id> to <tenants_dir>/.deleted-<id>-<time> and writes the tombstone
//      <tenants_dir>/<id>.deleted (both flushed): from here the tenant is deleted;
//   3. removes the renamed folder (a crash here leaves it; the daemon removes such leftovers at
//      start).
// A tenant with a tombstone that is still configured stops the daemon at start with a clear
// message, so that a deleted facility is never served again, empty, by mistake.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "gateway/hosted/hosted_config.hpp"

namespace hareyaka::gateway::hosted {

struct DeleteOptions {
  bool local_only = false;  // skip the portal (it already retired the facility)
};

// The report printed by the command: {"tenant","facility_oid","locators_removed","tombstone"}.
// Throws Error: the portal refused or is unreachable (nothing deleted), or the tenant is
// unknown.
nlohmann::json delete_tenant(const HostedConfig& config, const std::string& tenant_id,
                             DeleteOptions options);

// At start: throws config::ConfigError for a configured tenant that was deleted; removes the
// leftovers of an interrupted deletion.
void check_deleted_tenants(const HostedConfig& config);

// The daemon's lock on its state folder: one process per configuration at a time. Throws
// Error(kConflict) when another process holds it.
class StateLock {
 public:
  explicit StateLock(const std::string& state_dir);
  ~StateLock();
  StateLock(const StateLock&) = delete;
  StateLock& operator=(const StateLock&) = delete;

 private:
  int fd_ = -1;
};

int run_delete_tenant(int argc, char** argv);  // the command; returns the exit code

}  // namespace hareyaka::gateway::hosted
