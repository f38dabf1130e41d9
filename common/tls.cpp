#include "common/tls.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <boost/asio/ssl/context.hpp>

#include "common/error.hpp"

namespace hareyaka::tls {
namespace {

namespace ssl = boost::asio::ssl;

constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

[[noreturn]] void fail(const std::string& what) {
  throw Error(ErrorCode::kInternal, "TLS configuration error",
              what + ": " + drain_openssl_errors());
}

void harden(SSL_CTX* ctx) {
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  if (SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1)
    fail("cipher list");
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                               SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET);
}

void load_identity(SSL_CTX* ctx, const std::string& cert, const std::string& key) {
  if (SSL_CTX_use_certificate_chain_file(ctx, cert.c_str()) != 1)
    fail("certificate " + cert);
  if (SSL_CTX_use_PrivateKey_file(ctx, key.c_str(), SSL_FILETYPE_PEM) != 1)
    fail("key " + key);
  if (SSL_CTX_check_private_key(ctx) != 1)
    fail("key does not match certificate " + cert);
}

int accept_any(int, X509_STORE_CTX*) {
  return 1;
}

}  // namespace

std::string drain_openssl_errors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty())
      out += "; ";
    out += buf;
  }
  return out.empty() ? "no OpenSSL error recorded" : out;
}

std::shared_ptr<ssl::context> make_server_context(const ServerSettings& s) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  harden(native);
  load_identity(native, s.cert_file, s.key_file);
  if (s.client_auth != ClientAuth::kNone) {
    if (s.ca_file.empty())
      fail("client_auth needs ca_file");
    if (SSL_CTX_load_verify_locations(native, s.ca_file.c_str(), nullptr) != 1) {
      fail("CA file " + s.ca_file);
    }
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(s.ca_file.c_str());
    if (!names)
      fail("CA names in " + s.ca_file);
    SSL_CTX_set_client_CA_list(native, names);
    if (!s.crl_file.empty()) {
      if (s.client_auth != ClientAuth::kRequire)
        fail("crl_file is checked at handshake only with client_auth require");
      X509_STORE* store = SSL_CTX_get_cert_store(native);
      X509_LOOKUP* lookup = X509_STORE_add_lookup(store, X509_LOOKUP_file());
      if (!lookup || X509_load_crl_file(lookup, s.crl_file.c_str(), X509_FILETYPE_PEM) < 1)
        fail("CRL file " + s.crl_file);
      // Every certificate of the client's chain is checked, not only the leaf.
      X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
    }
    if (s.client_auth == ClientAuth::kRequire) {
      SSL_CTX_set_verify(native, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    } else {
      // The certificate is checked by the application, which can then say precisely why
      // it is refused (expired, revoked, untrusted) instead of a failed handshake.
      SSL_CTX_set_verify(native, SSL_VERIFY_PEER, accept_any);
    }
    static const unsigned char kSidCtx[] = "hareyaka";
    SSL_CTX_set_session_id_context(native, kSidCtx, sizeof kSidCtx - 1);
  }
  return ctx;
}

std::shared_ptr<ssl::context> make_client_context(const ClientSettings& s) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX* native = ctx->native_handle();
  harden(native);
  if (!s.cert_file.empty())
    load_identity(native, s.cert_file, s.key_file);
  if (s.verify_peer) {
    if (s.ca_file.empty()) {
      if (SSL_CTX_set_default_verify_paths(native) != 1)
        fail("default CA paths");
    } else if (SSL_CTX_load_verify_locations(native, s.ca_file.c_str(), nullptr) != 1) {
      fail("CA file " + s.ca_file);
    }
    SSL_CTX_set_verify(native, SSL_VERIFY_PEER, nullptr);
  } else {
    SSL_CTX_set_verify(native, SSL_VERIFY_NONE, nullptr);
  }
  return ctx;
}

}  // namespace hareyaka::tls
