// The access assertion a portal attaches to every request it makes to a gateway on a
// user's behalf: who asks (user, profession, facility), for which patient at that gateway,
// which data category, why, until when, and which node presents it. Signed with the
// portal's Ed25519 key; the gateway verifies it with the portal's public key, refuses
// anything else, and audits it.
//
// A stolen or copied assertion is worth little: it names the TLS client certificate that
// will present it (`presenter`, so another node's connection cannot use it), it lives a few
// minutes at most, and its id (`id`, the jti) is accepted once (docs/security-model.md).
//
// Wire form (header X-Hareyaka-Assertion): base64url(JSON claims) "." base64url(signature).
// Keys are PEM files, made with `openssl genpkey -algorithm ed25519` (deploy/dev-pki does it).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "common/replay_cache.hpp"

namespace hareyaka {

inline constexpr const char* kAssertionHeader = "X-Hareyaka-Assertion";

struct AccessAssertion {
  std::string user;          // login id of the viewer
  std::string profession;    // e.g. "doctor"
  std::string facility_oid;  // the viewer's facility
  std::string audience;      // the gateway's facility OID: an assertion is good for one gateway
  std::string authority;     // patient's assigning authority at that gateway
  std::string local_id;      // patient's id at that gateway
  std::string category;      // data category, e.g. "lab_results"
  std::string purpose = "treatment";
  std::string request_id;
  std::int64_t issued_at = 0;   // unix seconds; also its not-before time
  std::int64_t expires_at = 0;  // unix seconds
  // Lower-case hex SHA-256 of the DER of the TLS client certificate that presents it.
  // Empty when signing: the signer's own presenter.
  std::string presenter;
  std::string id;  // unique id (jti); empty when signing: a fresh random one
  // A cross-community request (IHE XCA): the homeCommunityId of the peer network on whose
  // behalf the portal asks, its user being no user of this network's directory (`user` then
  // names the community). Empty for this network's own users.
  std::string community;
};

enum class AssertionError {
  kMissing,
  kMalformed,
  kBadSignature,
  kExpired,
  kNotYetValid,
  kWrongAudience,
  kTooLong,          // exp - iat over the verifier's maximum lifetime
  kWrongPresenter,   // presented over a TLS connection of another certificate
  kReplayed,         // its id was accepted before
  kTooManyInFlight,  // the replay cache is full of live assertions
};
const char* describe(AssertionError e);

class AssertionSigner {
 public:
  // `presenter_sha256`: the fingerprint of the certificate this signer's process presents
  // to gateways (its client TLS certificate), put in every assertion it signs.
  explicit AssertionSigner(const std::string& private_key_pem_file,
                           std::string presenter_sha256 = {});
  ~AssertionSigner();
  std::string sign(const AccessAssertion& a) const;

 private:
  struct Key;
  std::unique_ptr<Key> key_;
  std::string presenter_;
};

struct AssertionPolicy {
  std::int64_t max_lifetime_s = 300;  // exp - iat at most
  std::int64_t skew_s = 30;           // clock difference tolerated on iat and exp
  std::size_t replay_cache_entries = 100'000;
};

class AssertionVerifier {
 public:
  explicit AssertionVerifier(const std::string& public_key_pem_file, AssertionPolicy policy = {});
  ~AssertionVerifier();
  // Checks the signature, the lifetime, the validity window (with the policy's skew), the
  // audience and the presenter (`presenter_sha256`: the fingerprint of the TLS peer that
  // presents it); then remembers its id, refusing one seen before. Thread-safe.
  std::variant<AccessAssertion, AssertionError> verify(std::string_view token,
                                                       std::string_view audience,
                                                       std::string_view presenter_sha256,
                                                       std::int64_t now_s) const;

 private:
  struct Key;
  std::unique_ptr<Key> key_;
  AssertionPolicy policy_;
  std::unique_ptr<ReplayCache> seen_;
};

std::int64_t unix_now();

}  // namespace hareyaka
