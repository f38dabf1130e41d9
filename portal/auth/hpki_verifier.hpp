// HPKI client-certificate checks for login: the chain against the configured HPKI CA
// certificates, revocation against their CRLs (X509_V_FLAG_CRL_CHECK_ALL: every
// certificate of the chain, the user's and each CA's up to the trust anchor, must be covered
// by a current CRL of its issuer), validity at `now`, then the hcRole and
// its profession. Every outcome is a value with a reason a user can read.
//
// The verifier is immutable: to pick up new CRLs, build a new one (e.g. on a timer) and
// swap it in.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hpd/time.hpp"
#include "hpd/user.hpp"

struct x509_store_st;

namespace hareyaka::auth {

struct HpkiSettings {
  std::vector<std::string> ca_files;   // PEM, one or more certificates each
  std::vector<std::string> crl_files;  // PEM or DER CRLs of those CAs (one per file), the
                                       // root's included
};

enum class HpkiError {
  kNone,
  kUnparseable,      // not a certificate
  kUntrustedIssuer,  // not issued by a configured HPKI CA
  kExpired,
  kNotYetValid,
  kRevoked,
  kCrlUnavailable,  // no CRL, or the CRL is out of date: cannot tell, so refuse
  kInvalid,         // bad signature or another chain problem
  kNoHcRole,
  kUnknownRole,  // an hcRole with no profession in this network
};
std::string_view to_string(HpkiError e);

struct HpkiIdentity {
  hpd::Profession profession;
  std::string role;     // as written in the certificate
  std::string subject;  // RFC 2253
  std::string issuer;   // RFC 2253
  std::string serial;   // upper-case hex
};

struct HpkiResult {
  HpkiError error = HpkiError::kNone;
  std::string message;  // for the user and the audit record
  std::optional<HpkiIdentity> identity;
  bool ok() const { return error == HpkiError::kNone; }
};

class HpkiVerifier {
 public:
  // Loads the CA certificates and CRLs; throws Error kUnprocessable naming the file that
  // cannot be read or parsed.
  explicit HpkiVerifier(const HpkiSettings& settings);
  ~HpkiVerifier();
  HpkiVerifier(const HpkiVerifier&) = delete;
  HpkiVerifier& operator=(const HpkiVerifier&) = delete;

  // The certificate as DER (what the TLS layer gives) or PEM.
  HpkiResult verify(std::string_view certificate, hpd::TimePoint now) const;

 private:
  x509_store_st* store_ = nullptr;
};

}  // namespace hareyaka::auth
