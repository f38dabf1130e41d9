#include "preserve/config.hpp"

#include "common/config.hpp"
#include "proto/preserve/manifest.hpp"

namespace hareyaka::preserve {

PreserveConfig load_preserve_config(const std::string& path) {
  const auto json = config::load_file(path);
  config::ConfigNode root(json, "");
  PreserveConfig c;
  if (auto n = root.optional_child("log"))
    c.log = config::read_log(*n);
  if (auto n = root.optional_child("runtime"))
    c.runtime = read_runtime(*n);
  c.listener = config::read_listener(root.child("listener"), "nodes");
  if (c.listener.tls.client_auth != tls::ClientAuth::kRequire) {
    throw config::ConfigError(
        "configuration key 'listener.client_auth' must be 'require': only gateways with their "
        "network certificates may call a preservation node");
  }
  c.store_dir = root.string("store_dir");
  if (auto r = root.optional_child("retention")) {
    c.retention.keep = std::chrono::hours(24 * r->integer_or("keep_days", 90, 1, 36500));
    c.retention.keep_at_least =
        static_cast<std::size_t>(r->integer_or("keep_at_least", 3, 1, 1000));
    c.retention.orphan_grace = std::chrono::hours(r->integer_or("orphan_grace_hours", 24, 1, 720));
    r->finish();
  }
  c.sweep_interval = root.millis_or("sweep_interval_ms", c.sweep_interval);
  for (auto& f : root.array("facilities")) {
    FacilityAccess a;
    a.oid = f.string("oid");
    if (!is_oid(a.oid))
      throw config::ConfigError("configuration key '" + f.path() + ".oid' must be an OID");
    a.writers = f.fingerprints_or("writers");
    a.readers = f.fingerprints_or("readers");
    f.finish();
    c.facilities.push_back(std::move(a));
  }
  c.node_readers = root.fingerprints_or("node_readers");
  root.finish();
  return c;
}

}  // namespace hareyaka::preserve
