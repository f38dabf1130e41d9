#include "gateway/config.hpp"

#include <regex>
#include <stdexcept>

namespace hareyaka::gateway {
namespace {

const std::regex kAeTitle(
    R"(^[\x21-\x5b\x5d-\x7e]([\x20-\x5b\x5d-\x7e]{0,14}[\x21-\x5b\x5d-\x7e])?$)");

std::string ae_title(const config::ConfigNode& n, const std::string& key, std::string fallback) {
  std::string v = n.string_or(key, std::move(fallback));
  if (!std::regex_match(v, kAeTitle)) {
    throw config::ConfigError("configuration key '" + n.path() + (n.path().empty() ? "" : ".") +
                              key + "' must be a DICOM AE title (1-16 characters, no backslash)");
  }
  return v;
}

DicomSettings read_dicom(const config::ConfigNode& n) {
  DicomSettings d;
  d.storage_dir = n.string("storage_dir");
  d.ae_title = ae_title(n, "ae_title", d.ae_title);
  d.port = static_cast<int>(n.integer_or("port", d.port, 0, 65535));
  d.allowed_calling_aes = n.strings_or("allowed_calling_aes", {});
  d.max_associations =
      static_cast<int>(n.integer_or("max_associations", d.max_associations, 1, 256));
  d.import_dir = n.string_or("import_dir", "");
  if (auto p = n.optional_child("pacs")) {
    PacsNodeSettings s;
    s.called_ae = ae_title(*p, "called_ae", "");
    s.host = p->string("host");
    s.port = static_cast<int>(p->integer("port", 1, 65535));
    s.use_cget = p->choice_or("mode", "cmove", {"cmove", "cget"}) == "cget";
    s.move_destination_ae = ae_title(*p, "move_destination_ae", d.ae_title);
    s.timeout = p->millis_or("timeout_ms", s.timeout);
    p->finish();
    d.pacs = std::move(s);
  }
  n.finish();
  return d;
}

PreservationSettings read_preservation(const config::ConfigNode& n,
                                       const std::string& facility_oid) {
  PreservationSettings p;
  for (auto& k : n.array("keys")) {
    try {
      p.keys.push_back(make_box_key(k.string("id"), k.secret("key")));
    } catch (const std::invalid_argument& e) {
      throw config::ConfigError("configuration key '" + k.path() + "': " + e.what());
    }
    k.finish();
  }
  if (p.keys.empty())
    throw config::ConfigError("configuration key 'preservation.keys' must list at least one key");
  p.signing_key_file = n.string("signing_key_file");
  p.sender.facility_oid = facility_oid;
  if (n.has("data_types")) {
    p.sender.data_types.clear();
    for (const auto& code : n.strings_or("data_types", {})) {
      auto t = ssmix2::parse_data_type(code);
      if (!t) {
        throw config::ConfigError("configuration key 'preservation.data_types' names '" + code +
                                  "', which is not an SS-MIX2 standard data type");
      }
      p.sender.data_types.push_back(*t);
    }
  }
  static const std::regex kName("^[a-z0-9][a-z0-9-]{0,31}$");
  for (auto& node : n.array("nodes")) {
    preserve::PreservationNode pn;
    pn.name = node.string("name");
    if (!std::regex_match(pn.name, kName))
      throw config::ConfigError("configuration key '" + node.path() +
                                ".name' must be 1-32 of [a-z0-9-]");
    for (const auto& other : p.sender.nodes) {
      if (other.name == pn.name)
        throw config::ConfigError("configuration key 'preservation.nodes' names '" + pn.name +
                                  "' twice");
    }
    pn.url = node.string("url");
    pn.tls = config::read_tls_client(node.child("tls"));
    node.finish();
    p.sender.nodes.push_back(std::move(pn));
  }
  if (p.sender.nodes.empty())
    throw config::ConfigError("configuration key 'preservation.nodes' must list at least one node");
  p.consented_only = n.choice_or("patients", "consented", {"consented", "all"}) == "consented";
  p.sender.consent_refresh = n.millis_or("consent_refresh_ms", p.sender.consent_refresh);
  p.sender.resync_interval = n.millis_or("resync_interval_ms", p.sender.resync_interval);
  p.sender.retry_max = n.millis_or("retry_max_ms", p.sender.retry_max);
  n.finish();
  return p;
}

}  // namespace

AssertionPolicy read_assertion_policy(const config::ConfigNode& a) {
  AssertionPolicy p;
  // At least the 60 s the portal signs for (portal/viewer/viewer_api.hpp), or every
  // assertion would be refused.
  p.max_lifetime_s = a.integer_or("max_lifetime_s", p.max_lifetime_s, 60, 3600);
  p.skew_s = a.integer_or("clock_skew_s", p.skew_s, 0, 300);
  p.replay_cache_entries = static_cast<std::size_t>(a.integer_or(
      "replay_cache_entries", static_cast<std::int64_t>(p.replay_cache_entries), 1000, 10'000'000));
  a.finish();
  return p;
}

GatewayConfig load_gateway_config(const std::string& path) {
  const auto json = config::load_file(path);
  config::ConfigNode root(json, "");
  GatewayConfig c;
  if (auto n = root.optional_child("log"))
    c.log = config::read_log(*n);
  if (auto n = root.optional_child("runtime"))
    c.runtime = read_runtime(*n);
  c.facility_oid = root.string("facility_oid");
  static const std::regex kOid(R"(^[0-2](\.(0|[1-9][0-9]*))+$)");
  if (!std::regex_match(c.facility_oid, kOid)) {
    throw config::ConfigError(
        "configuration key 'facility_oid' must be an OID such as "
        "1.2.392.200284.33.1234567 (got '" +
        c.facility_oid + "')");
  }
  c.patient_authority = root.string_or("patient_authority", c.facility_oid + ".1");
  if (!std::regex_match(c.patient_authority, kOid)) {
    throw config::ConfigError("configuration key 'patient_authority' must be an OID");
  }
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
  {
    auto s = root.child("storage");
    c.storage.ssmix2_root = s.string("ssmix2_root");
    c.storage.extended_root = s.string_or("extended_root", "");
    c.storage.state_dir = s.string("state_dir");
    c.storage.reconcile_interval =
        s.millis_or("reconcile_interval_ms", c.storage.reconcile_interval);
    s.finish();
  }
  if (auto p = root.optional_child("portal")) {
    c.portal.url = p->string("url");
    c.portal.tls = config::read_tls_client(p->child("tls"));
    p->finish();
  }
  if (auto d = root.optional_child("directory")) {
    c.directory.pull_interval = d->millis_or("pull_interval_ms", c.directory.pull_interval);
    c.directory.unknown_users = *parse_unknown_user_policy(
        d->choice_or("unknown_users", "after_first_pull", {"after_first_pull", "always", "never"}));
    d->finish();
  }
  if (c.portal.url.empty() && c.directory.unknown_users == UnknownUserPolicy::kAlways) {
    throw config::ConfigError(
        "configuration key 'directory.unknown_users' is 'always' but there is no 'portal' to "
        "pull the directory from: every request would be refused");
  }
  if (auto n = root.optional_child("dicom"))
    c.dicom = read_dicom(*n);
  if (auto n = root.optional_child("preservation")) {
    c.preservation = read_preservation(*n, c.facility_oid);
    if (c.preservation->consented_only && c.portal.url.empty()) {
      throw config::ConfigError(
          "configuration key 'preservation.patients' is 'consented' (the default) but there is "
          "no 'portal' to ask which patients consented; set it to 'all' to preserve every "
          "patient");
    }
  }
  root.finish();
  return c;
}

}  // namespace hareyaka::gateway
