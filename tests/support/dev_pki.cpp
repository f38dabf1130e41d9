#include "tests/support/dev_pki.hpp"

#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "common/digest.hpp"
#include "tests/support/process.hpp"

namespace hareyaka::testing {

nlohmann::json dev_listener(const std::string& node, int port, const std::string& client_auth) {
  nlohmann::json l{{"port", port},
                   {"cert_file", dev_pki().cert(node)},
                   {"key_file", dev_pki().key(node)},
                   {"client_auth", client_auth}};
  if (client_auth != "none")
    l["client_ca_file"] = dev_pki().ca();
  if (client_auth == "require")
    l["client_crl_file"] = dev_pki().crl();
  return l;
}

std::string source_dir() {
  return HAREYAKA_SOURCE_DIR;
}

namespace {

struct PkiHolder {
  TempDir tmp;
  DevPki pki;
};

}  // namespace

const DevPki& dev_pki() {
  static std::once_flag once;
  static std::unique_ptr<PkiHolder> holder;
  std::call_once(once, [] {
    holder = std::make_unique<PkiHolder>();
    holder->pki.dir = holder->tmp.path() + "/network";
    holder->pki.other_dir = holder->tmp.path() + "/other";
    const std::string script = source_dir() + "/deploy/dev-pki";
    run_checked({script, holder->pki.dir, "portal", "gateway-a", "gateway-b", "client", "revoked",
                 "preserve-a", "preserve-b", "hosted", "tenant-a", "tenant-b", "tenant-c"});
    run_checked({script, holder->pki.dir, "--revoke", "revoked"});
    run_checked({script, holder->pki.other_dir, "stranger"});
  });
  return holder->pki;
}

std::string cert_fingerprint(const std::string& pem_file) {
  FILE* f = std::fopen(pem_file.c_str(), "r");
  if (!f)
    throw std::runtime_error("cannot read " + pem_file);
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  if (!cert)
    throw std::runtime_error("not a PEM certificate: " + pem_file);
  unsigned char* der = nullptr;
  const int len = i2d_X509(cert, &der);
  std::string fp = sha256_hex(std::string_view(reinterpret_cast<char*>(der), len));
  OPENSSL_free(der);
  X509_free(cert);
  return fp;
}

}  // namespace hareyaka::testing
