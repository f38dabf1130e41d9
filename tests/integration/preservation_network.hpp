// A hospital gateway preserving to two preservation nodes (issue #20), all real daemons on
// loopback: hareyaka-preserve "east" and "west" (fixed free ports, so a kill -9 and restart
// keeps the address the gateway knows), and hareyaka-gateway with a generated SS-MIX2
// storage, its preservation keys in a temp folder.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/http_client.hpp"
#include "tests/support/daemon.hpp"
#include "tests/support/process.hpp"

namespace hareyaka::testing {

inline constexpr const char* kPreservedFacility = "1.2.392.200284.33.1310001";

class PreservationNetwork {
 public:
  // With a portal (its node listener URL): only the patients it says consented are
  // preserved, asked every 300 ms.
  explicit PreservationNetwork(int patients, const std::string& portal_nodes_url = "");

  void start_gateway();
  // Both nodes acknowledged every queued patient.
  bool wait_preserved(std::chrono::milliseconds timeout);
  nlohmann::json preserve_status();
  // `hareyaka-gateway restore` with the gateway's configuration.
  RunResult restore(const std::string& node, const std::string& into,
                    const std::vector<std::string>& extra = {});
  // Relative path -> SHA-256 of every file of the preserved data types under a root.
  std::map<std::string, std::string> preserved_files(const std::string& root) const;
  std::map<std::string, std::string> all_files(const std::string& root) const;
  // GET on a node as a dev PKI node.
  http::ClientResponse node_get(const std::string& node, const std::string& as,
                                const std::string& path);
  http::ClientResponse node_request(const std::string& node, const std::string& as,
                                    http::ClientRequest r);
  std::map<std::string, std::size_t> generations_per_patient(const std::string& node);

  TempDir tmp;
  std::string storage, state_dir, gateway_config_file;
  nlohmann::json gateway_config;
  std::map<std::string, std::unique_ptr<Daemon>> nodes;  // "east", "west"
  std::map<std::string, int> node_ports;
  std::unique_ptr<Daemon> gateway;
};

}  // namespace hareyaka::testing
