#include "tests/integration/preservation_network.hpp"

#include <filesystem>
#include <fstream>

#include "common/digest.hpp"
#include "proto/ssmix2/storage_path.hpp"
#include "tests/support/dev_pki.hpp"

namespace hareyaka::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::vector<std::string> kMinimumTypes = {"ADT-00", "ADT-61", "PPR-01", "OMP-01",
                                                "OMP-11", "OMP-02", "OMP-12", "OML-11",
                                                "ADT-12", "ADT-22", "ADT-52"};

json tls_as(const std::string& node) {
  return {{"ca_file", dev_pki().ca()},
          {"cert_file", dev_pki().cert(node)},
          {"key_file", dev_pki().key(node)}};
}

}  // namespace

PreservationNetwork::PreservationNetwork(int patients, const std::string& portal_nodes_url) {
  storage = tmp.path() + "/ssmix2";
  state_dir = tmp.path() + "/state";
  run_checked({binary_path("gateway/hareyaka-ssmix2-gen"), "--out", storage, "--patients",
               std::to_string(patients)});
  // The hospital's preservation key and the gateway's signing key.
  run_checked({"sh", "-c",
               "openssl rand -base64 32 > " + tmp.path() + "/preserve.key && " +
                   "openssl genpkey -algorithm ed25519 -out " + tmp.path() +
                   "/preserve-sign.key 2>/dev/null"});
  const std::string gw_fp = cert_fingerprint(dev_pki().cert("gateway-a"));
  const std::string standby_fp = cert_fingerprint(dev_pki().cert("gateway-b"));
  json node_list = json::array();
  for (const auto& [name, cert] : {std::pair{"east", "preserve-a"}, {"west", "preserve-b"}}) {
    node_ports[name] = free_loopback_port();
    json cfg{
        {"listener",
         {{"port", node_ports[name]},
          {"cert_file", dev_pki().cert(cert)},
          {"key_file", dev_pki().key(cert)},
          {"client_auth", "require"},
          {"client_ca_file", dev_pki().ca()}}},
        {"store_dir", tmp.path() + "/node-" + name},
        {"facilities",
         {{{"oid", kPreservedFacility}, {"writers", {gw_fp}}, {"readers", {gw_fp, standby_fp}}}}},
        {"node_readers", {cert_fingerprint(dev_pki().cert("client"))}}};
    nodes[name] = std::make_unique<Daemon>("preserve/hareyaka-preserve", cfg, name);
    node_list.push_back({{"name", name},
                         {"url", "https://127.0.0.1:" + std::to_string(node_ports[name])},
                         {"tls", tls_as("gateway-a")}});
  }
  gateway_config = {
      {"facility_oid", kPreservedFacility},
      {"assertion_public_key", dev_pki().dir + "/assertion.pub"},
      {"node_readers", {cert_fingerprint(dev_pki().cert("client"))}},
      {"listener",
       {{"port", 0},
        {"cert_file", dev_pki().cert("gateway-a")},
        {"key_file", dev_pki().key("gateway-a")},
        {"client_auth", "require"},
        {"client_ca_file", dev_pki().ca()}}},
      {"storage",
       {{"ssmix2_root", storage}, {"state_dir", state_dir}, {"reconcile_interval_ms", 500}}},
      {"preservation",
       {{"keys", {{{"id", "2026"}, {"key", {{"file", tmp.path() + "/preserve.key"}}}}}},
        {"signing_key_file", tmp.path() + "/preserve-sign.key"},
        {"retry_max_ms", 1000},
        {"patients", "all"},  // no portal here: every patient
        {"nodes", node_list}}}};
  if (!portal_nodes_url.empty()) {
    gateway_config["portal"] = {{"url", portal_nodes_url}, {"tls", tls_as("gateway-a")}};
    gateway_config["preservation"]["patients"] = "consented";
    gateway_config["preservation"]["consent_refresh_ms"] = 300;
  }
  gateway_config_file = tmp.path() + "/gateway.json";
  std::ofstream(gateway_config_file) << gateway_config.dump(2);
}

void PreservationNetwork::start_gateway() {
  gateway = std::make_unique<Daemon>("gateway/hareyaka-gateway", gateway_config, "gateway");
}

json PreservationNetwork::preserve_status() {
  http::ClientSettings cs;
  cs.tls = {.ca_file = dev_pki().ca(),
            .cert_file = dev_pki().cert("client"),
            .key_file = dev_pki().key("client")};
  http::BlockingHttpClient client(cs);
  auto r = client.request({.url = gateway->url("nodes", "/gw/v1/preserve/status")});
  return r.status == 200 ? json::parse(r.body) : json();
}

bool PreservationNetwork::wait_preserved(std::chrono::milliseconds timeout) {
  return poll_until(
      [&] {
        auto s = preserve_status();
        if (!s.contains("nodes"))
          return false;
        for (const auto& n : s["nodes"]) {
          if (n["pending"] != 0 || n["acknowledged"] == 0)
            return false;
        }
        return true;
      },
      timeout);
}

RunResult PreservationNetwork::restore(const std::string& node, const std::string& into,
                                       const std::vector<std::string>& extra) {
  std::vector<std::string> argv{binary_path("gateway/hareyaka-gateway"),
                                "restore",
                                "--config",
                                gateway_config_file,
                                "--node",
                                node};
  if (!into.empty()) {
    argv.push_back("--into");
    argv.push_back(into);
  }
  argv.insert(argv.end(), extra.begin(), extra.end());
  return run(argv);
}

std::map<std::string, std::string> PreservationNetwork::all_files(const std::string& root) const {
  std::map<std::string, std::string> out;
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(root, ec)) {
    if (e.is_regular_file())
      out[fs::relative(e.path(), root).string()] = sha256_hex(read_file(e.path().string()));
  }
  return out;
}

std::map<std::string, std::string> PreservationNetwork::preserved_files(
    const std::string& root) const {
  // The files a viewer is shown (the storage index's rule): condition flag 1, unless a
  // deletion (flag 0) of the same patient, date, type and order is not older.
  std::map<std::string, std::pair<std::string, ssmix2::FileName>> current;
  std::vector<ssmix2::FileName> deletions;
  for (const auto& [path, sha] : all_files(root)) {
    auto check = ssmix2::check_standard_path(path);
    if (!check.problems.empty() || !check.name ||
        std::find(kMinimumTypes.begin(), kMinimumTypes.end(), check.name->data_type_code) ==
            kMinimumTypes.end())
      continue;
    if (check.name->condition == ssmix2::Condition::kDeleted)
      deletions.push_back(*check.name);
    else if (check.name->condition == ssmix2::Condition::kCurrent)
      current.emplace(path, std::pair{sha, *check.name});
  }
  std::map<std::string, std::string> out;
  for (const auto& [path, entry] : current) {
    const auto& n = entry.second;
    const bool hidden = std::any_of(deletions.begin(), deletions.end(), [&](const auto& d) {
      return d.patient_id == n.patient_id && d.date == n.date &&
             d.data_type_code == n.data_type_code && d.order_no == n.order_no &&
             n.timestamp <= d.timestamp;
    });
    if (!hidden)
      out[path] = entry.first;
  }
  return out;
}

http::ClientResponse PreservationNetwork::node_request(const std::string& node,
                                                       const std::string& as,
                                                       http::ClientRequest r) {
  http::ClientSettings cs;
  cs.tls = {
      .ca_file = as == "stranger" ? dev_pki().other_dir + "/ca.pem" : dev_pki().ca(),
      .cert_file = as == "stranger" ? dev_pki().other_dir + "/stranger.pem" : dev_pki().cert(as),
      .key_file = as == "stranger" ? dev_pki().other_dir + "/stranger.key" : dev_pki().key(as)};
  cs.tls.ca_file = dev_pki().ca();  // the node's certificate is the network's either way
  http::BlockingHttpClient client(cs);
  r.url = "https://127.0.0.1:" + std::to_string(node_ports.at(node)) + r.url;
  return client.request(r);
}

http::ClientResponse PreservationNetwork::node_get(const std::string& node, const std::string& as,
                                                   const std::string& path) {
  return node_request(node, as, {.url = path});
}

std::map<std::string, std::size_t> PreservationNetwork::generations_per_patient(
    const std::string& node) {
  std::map<std::string, std::size_t> out;
  auto r =
      node_get(node, "gateway-a",
               std::string("/pv/v1/facilities/") + kPreservedFacility + "/patients?limit=5000");
  if (r.status != 200)
    throw std::runtime_error("listing: HTTP " + std::to_string(r.status) + " " + r.body);
  const json listing = json::parse(r.body);  // kept: a range-for over a temporary's member dangles
  for (const auto& p : listing["patients"])
    out[p["patient"].get<std::string>()] = p["generations"].size();
  return out;
}

}  // namespace hareyaka::testing
