#include "common/peer_certificate.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>

#include "common/digest.hpp"

namespace hareyaka::http {
namespace {

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
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  X509_digest(cert.get(), EVP_sha256(), md, &md_len);
  out.sha256_fingerprint = to_hex(std::string_view(reinterpret_cast<char*>(md), md_len));
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

}  // namespace hareyaka::http
