#include "common/peer_certificate.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstdio>
#include <memory>

#include "common/digest.hpp"
#include "common/error.hpp"
#include "common/tls.hpp"

namespace hareyaka::http {
namespace {

std::string fingerprint_of(X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  X509_digest(cert, EVP_sha256(), md, &md_len);
  return to_hex(std::string_view(reinterpret_cast<char*>(md), md_len));
}

std::string name_of(X509_NAME* name) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

}  // namespace

std::optional<PeerCertificate> peer_certificate(ssl_st* ssl) {
  std::unique_ptr<X509, decltype(&X509_free)> cert(SSL_get1_peer_certificate(ssl), X509_free);
  if (!cert)
    return std::nullopt;
  PeerCertificate out;
  out.subject = name_of(X509_get_subject_name(cert.get()));
  out.issuer = name_of(X509_get_issuer_name(cert.get()));
  if (BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get_serialNumber(cert.get()), nullptr)) {
    char* h = BN_bn2hex(bn);
    out.serial_hex = h;
    OPENSSL_free(h);
    BN_free(bn);
  }
  out.sha256_fingerprint = fingerprint_of(cert.get());
  int len = i2d_X509(cert.get(), nullptr);
  if (len > 0) {
    out.der.resize(static_cast<std::size_t>(len));
    auto* p = reinterpret_cast<unsigned char*>(out.der.data());
    i2d_X509(cert.get(), &p);
  }
  out.verified_by_tls = SSL_get_verify_result(ssl) == X509_V_OK &&
                        (SSL_get_verify_mode(ssl) & SSL_VERIFY_FAIL_IF_NO_PEER_CERT) != 0;
  return out;
}

std::string certificate_file_sha256(const std::string& pem_file) {
  std::unique_ptr<FILE, decltype(&std::fclose)> f(std::fopen(pem_file.c_str(), "r"), std::fclose);
  if (!f)
    throw Error(ErrorCode::kInternal, "cannot start", "cannot read certificate " + pem_file);
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      PEM_read_X509(f.get(), nullptr, nullptr, nullptr), X509_free);
  if (!cert) {
    throw Error(ErrorCode::kInternal, "cannot start",
                "no certificate in " + pem_file + ": " + tls::drain_openssl_errors());
  }
  return fingerprint_of(cert.get());
}

}  // namespace hareyaka::http
