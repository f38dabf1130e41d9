// Certificates for tests, made by the project's own deploy/dev-pki script (once per test
// binary): a network CA with nodes "portal", "gateway-a", "gateway-b", "client",
// "preserve-a" and "preserve-b" (preservation nodes), and an unrelated CA ("other") with a node
// "stranger" for refusal tests.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace hareyaka::testing {

struct DevPki {
  std::string dir;        // network CA: ca.pem, ca.crl, portal.pem/.key, gateway-a..., client...
                          // and "revoked" (a node certificate listed in ca.crl)
  std::string other_dir;  // another CA: ca.pem, stranger.pem/.key
  std::string ca() const { return dir + "/ca.pem"; }
  std::string crl() const { return dir + "/ca.crl"; }
  std::string cert(const std::string& node) const { return dir + "/" + node + ".pem"; }
  std::string key(const std::string& node) const { return dir + "/" + node + ".key"; }
};

const DevPki& dev_pki();

// SHA-256 fingerprint (lower-case hex of the DER) of a PEM certificate file: what the
// directory stores as a facility's gateway_cert_sha256.
std::string cert_fingerprint(const std::string& pem_file);

// The repository root (for scripts under deploy/).
std::string source_dir();

// A listener config section with `node`'s dev certificate; client_auth "require" or
// "request" adds the network CA as the client CA.
nlohmann::json dev_listener(const std::string& node, int port, const std::string& client_auth);

}  // namespace hareyaka::testing
