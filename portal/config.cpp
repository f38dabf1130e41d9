#include "portal/config.hpp"

namespace hareyaka::portal {

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
  root.finish();
  return c;
}

}  // namespace hareyaka::portal
