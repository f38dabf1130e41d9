#include "portal/auth/hpki_verifier.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "common/error.hpp"
#include "portal/auth/hc_role.hpp"

namespace hareyaka::auth {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct CtxFree {
  void operator()(X509_STORE_CTX* c) const { X509_STORE_CTX_free(c); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;

[[noreturn]] void bad_file(const std::string& path, const char* what) {
  ERR_clear_error();
  throw Error(ErrorCode::kUnprocessable, std::string("HPKI ") + what + " " + path,
              std::string("cannot load HPKI ") + what + " " + path);
}

std::string name_text(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

std::string serial_text(const X509* cert) {
  BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr);
  if (!bn)
    return {};
  char* hex = BN_bn2hex(bn);
  std::string out = hex ? hex : "";
  OPENSSL_free(hex);
  BN_free(bn);
  return out;
}

X509Ptr parse_certificate(std::string_view data) {
  if (data.find("-----BEGIN CERTIFICATE-----") != std::string_view::npos) {
    BioPtr bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
    return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  }
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(data.size())));
  if (cert && p != reinterpret_cast<const unsigned char*>(data.data()) + data.size()) {
    return nullptr;  // trailing bytes
  }
  return cert;
}

HpkiResult fail(HpkiError e, std::string message) {
  return {e, std::move(message), std::nullopt};
}

HpkiResult map_verify_error(int err, int depth) {
  switch (err) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return fail(HpkiError::kExpired, "the HPKI certificate has expired");
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return fail(HpkiError::kNotYetValid, "the HPKI certificate is not valid yet");
    case X509_V_ERR_CERT_REVOKED:
      if (depth > 0) {
        return fail(HpkiError::kRevoked,
                    "the HPKI certificate has been revoked: the certification authority that "
                    "issued it has been revoked");
      }
      return fail(HpkiError::kRevoked, "the HPKI certificate has been revoked");
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_CERT_UNTRUSTED:
      return fail(HpkiError::kUntrustedIssuer,
                  "the certificate was not issued by a trusted HPKI certification authority");
    case X509_V_ERR_UNABLE_TO_GET_CRL:
    case X509_V_ERR_CRL_HAS_EXPIRED:
    case X509_V_ERR_CRL_NOT_YET_VALID:
    case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
      return fail(HpkiError::kCrlUnavailable,
                  "the revocation status of the HPKI certificate cannot be checked (no current "
                  "CRL); ask the secretariat");
    default:
      return fail(HpkiError::kInvalid, std::string("the HPKI certificate is not valid: ") +
                                           X509_verify_cert_error_string(err));
  }
}

}  // namespace

std::string_view to_string(HpkiError e) {
  switch (e) {
    case HpkiError::kNone:
      return "none";
    case HpkiError::kUnparseable:
      return "unparseable";
    case HpkiError::kUntrustedIssuer:
      return "untrusted_issuer";
    case HpkiError::kExpired:
      return "expired";
    case HpkiError::kNotYetValid:
      return "not_yet_valid";
    case HpkiError::kRevoked:
      return "revoked";
    case HpkiError::kCrlUnavailable:
      return "crl_unavailable";
    case HpkiError::kInvalid:
      return "invalid";
    case HpkiError::kNoHcRole:
      return "no_hc_role";
    case HpkiError::kUnknownRole:
      return "unknown_role";
  }
  return "unknown";
}

HpkiVerifier::HpkiVerifier(const HpkiSettings& settings) {
  store_ = X509_STORE_new();
  if (!store_)
    throw Error(ErrorCode::kInternal, "internal error", "X509_STORE_new failed");
  for (const auto& path : settings.ca_files) {
    BioPtr bio(BIO_new_file(path.c_str(), "r"));
    if (!bio)
      bad_file(path, "CA certificate file");
    int n = 0;
    while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
      X509_STORE_add_cert(store_, cert);
      X509_free(cert);
      ++n;
    }
    ERR_clear_error();  // the end-of-file "no start line" of the loop
    if (n == 0)
      bad_file(path, "CA certificate file (no certificate in it)");
  }
  for (const auto& path : settings.crl_files) {
    BioPtr bio(BIO_new_file(path.c_str(), "r"));
    if (!bio)
      bad_file(path, "CRL file");
    X509_CRL* crl = PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr);
    if (!crl) {
      BIO_reset(bio.get());
      crl = d2i_X509_CRL_bio(bio.get(), nullptr);
    }
    if (!crl)
      bad_file(path, "CRL file");
    X509_STORE_add_crl(store_, crl);
    X509_CRL_free(crl);
  }
  if (settings.ca_files.empty()) {
    throw Error(ErrorCode::kUnprocessable, "no HPKI CA configured", "no HPKI CA configured");
  }
  ERR_clear_error();
}

HpkiVerifier::~HpkiVerifier() {
  X509_STORE_free(store_);
}

HpkiResult HpkiVerifier::verify(std::string_view certificate, hpd::TimePoint now) const {
  X509Ptr cert = parse_certificate(certificate);
  if (!cert) {
    ERR_clear_error();
    return fail(HpkiError::kUnparseable, "the client certificate cannot be read");
  }
  std::unique_ptr<X509_STORE_CTX, CtxFree> ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store_, cert.get(), nullptr) != 1) {
    throw Error(ErrorCode::kInternal, "internal error", "X509_STORE_CTX_init failed");
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  // CRL_CHECK_ALL: every certificate of the chain up to the trust anchor must be covered by
  // a current CRL of its issuer, so a revoked intermediate CA revokes the cards it issued
  // (CRL_CHECK alone looks at the user's certificate only).
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
  X509_VERIFY_PARAM_set_time(param, std::chrono::system_clock::to_time_t(now));
  X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_CLIENT);
  const int rc = X509_verify_cert(ctx.get());
  const int err = X509_STORE_CTX_get_error(ctx.get());
  const int depth = X509_STORE_CTX_get_error_depth(ctx.get());
  ERR_clear_error();
  if (rc != 1)
    return map_verify_error(err, depth);

  HcRoleResult roles = read_hc_roles(cert.get());
  if (!roles.error.empty()) {
    return fail(HpkiError::kNoHcRole,
                "the HPKI certificate carries no usable hcRole: " + roles.error);
  }
  for (const auto& role : roles.roles) {
    if (auto p = profession_for_role(role)) {
      return {HpkiError::kNone, "ok",
              HpkiIdentity{*p, role, name_text(X509_get_subject_name(cert.get())),
                           name_text(X509_get_issuer_name(cert.get())), serial_text(cert.get())}};
    }
  }
  return fail(HpkiError::kUnknownRole,
              "the HPKI role \"" + roles.roles.front() + "\" has no profession in this network");
}

}  // namespace hareyaka::auth
