#include "gateway/hosted/hosted_config.hpp"

#include <regex>
#include <set>

namespace hareyaka::gateway::hosted {
namespace {

const std::regex kOid(R"(^[0-2](\.(0|[1-9][0-9]*))+$)");
const std::regex kTenantId("^[a-z0-9][a-z0-9-]{0,31}$");

TenantSettings read_tenant(config::ConfigNode& n, const std::string& portal_ca) {
  TenantSettings t;
  t.id = n.string("id");
  if (!std::regex_match(t.id, kTenantId))
    throw config::ConfigError("configuration key '" + n.path() + ".id' must be 1-32 of [a-z0-9-]");
  t.facility_oid = n.string("facility_oid");
  if (!std::regex_match(t.facility_oid, kOid))
    throw config::ConfigError("configuration key '" + n.path() + ".facility_oid' must be an OID");
  t.patient_authority = n.string_or("patient_authority", t.facility_oid + ".1");
  if (!std::regex_match(t.patient_authority, kOid))
    throw config::ConfigError("configuration key '" + n.path() +
                              ".patient_authority' must be an OID");
  // The tenant's own network certificate: its feeds are its own to the portal.
  t.tls.ca_file = portal_ca;
  t.tls.cert_file = n.string("cert_file");
  t.tls.key_file = n.string("key_file");
  t.quota_bytes = static_cast<std::uint64_t>(n.integer_or("quota_mb", 1024, 1, 10'000'000)) << 20;
  n.finish();
  return t;
}

}  // namespace

HostedConfig load_hosted_config(const std::string& path) {
  const auto json = config::load_file(path);
  config::ConfigNode root(json, "");
  HostedConfig c;
  if (auto n = root.optional_child("log"))
    c.log = config::read_log(*n);
  if (auto n = root.optional_child("runtime"))
    c.runtime = read_runtime(*n);
  c.assertion_public_key = root.string("assertion_public_key");
  if (auto a = root.optional_child("assertions"))
    c.assertions = read_assertion_policy(*a);
  c.node_readers = root.fingerprints_or("node_readers");
  c.listener = config::read_listener(root.child("listener"), "nodes");
  if (c.listener.tls.client_auth != tls::ClientAuth::kRequire) {
    throw config::ConfigError(
        "configuration key 'listener.client_auth' must be 'require': only the portal, with its "
        "network certificate, may call a gateway");
  }
  c.tenants_dir = root.string("tenants_dir");
  c.state_dir = root.string("state_dir");
  if (auto p = root.optional_child("portal")) {
    c.portal_url = p->string("url");
    c.portal_ca_file = p->string("ca_file");
    p->finish();
  }
  if (auto d = root.optional_child("directory")) {
    c.directory.pull_interval = d->millis_or("pull_interval_ms", c.directory.pull_interval);
    c.directory.unknown_users = *parse_unknown_user_policy(
        d->choice_or("unknown_users", "after_first_pull", {"after_first_pull", "always", "never"}));
    d->finish();
  }
  if (auto u = root.optional_child("uploads")) {
    c.limits.max_files = static_cast<std::uint64_t>(
        u->integer_or("max_files", static_cast<std::int64_t>(c.limits.max_files), 1, 10'000'000));
    c.limits.max_uncompressed_bytes =
        static_cast<std::uint64_t>(u->integer_or("max_uncompressed_mb", 1024, 1, 1'000'000)) << 20;
    u->finish();
  }
  c.publish_threads = static_cast<int>(root.integer_or("publish_threads", 2, 1, 64));
  std::set<std::string> ids, oids;
  for (auto& t : root.array("tenants")) {
    auto tenant = read_tenant(t, c.portal_ca_file);
    if (!ids.insert(tenant.id).second)
      throw config::ConfigError("configuration key 'tenants' names '" + tenant.id + "' twice");
    if (!oids.insert(tenant.facility_oid).second)
      throw config::ConfigError("configuration key 'tenants' names the facility " +
                                tenant.facility_oid + " twice");
    c.tenants.push_back(std::move(tenant));
  }
  if (c.tenants.empty())
    throw config::ConfigError("configuration key 'tenants' must list at least one facility");
  root.finish();
  return c;
}

}  // namespace hareyaka::gateway::hosted
