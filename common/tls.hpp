// TLS contexts for every listener and client: TLS 1.3, with TLS 1.2 allowed only with AEAD
// suites (ECDHE + AES-GCM or ChaCha20-Poly1305); nothing older. OpenSSL's error queue is
// read here and nowhere else.
#pragma once

#include <memory>
#include <string>

namespace boost::asio::ssl {
class context;
}

namespace hareyaka::tls {

enum class ClientAuth {
  kNone,     // no client certificate asked
  kRequest,  // ask for any certificate; the application verifies it (HPKI login)
  kRequire,  // mutual TLS: a certificate from ca_file is required at handshake
};

struct ServerSettings {
  std::string cert_file;  // PEM chain
  std::string key_file;   // PEM private key
  std::string ca_file;  // CA(s) for client certificates (kRequest: advertised, kRequire: enforced)
  // PEM CRL(s) of those CAs (kRequire): a revoked client certificate fails the handshake, and so
  // does every client once a CRL is past its nextUpdate (fail closed; reissue it in time). Read
  // at start.
  std::string crl_file;
  ClientAuth client_auth = ClientAuth::kNone;
};

struct ClientSettings {
  std::string ca_file;    // CA(s) that server certificates must chain to
  std::string cert_file;  // our certificate for mutual TLS (optional)
  std::string key_file;
  bool verify_peer = true;
};

std::shared_ptr<boost::asio::ssl::context> make_server_context(const ServerSettings& s);
std::shared_ptr<boost::asio::ssl::context> make_client_context(const ClientSettings& s);

// Drains OpenSSL's thread-local error queue into one line.
std::string drain_openssl_errors();

}  // namespace hareyaka::tls
