// The access assertion a portal attaches to every request it makes to a gateway on a
// user's behalf: who asks (user, profession, facility), for which patient at that gateway,
// which data category, why, until when. Signed with the portal's Ed25519 key; the gateway
// verifies it with the portal's public key, refuses anything else, and audits it.
//
// Wire form (header X-Hareyaka-Assertion): base64url(JSON claims) "." base64url(signature).
// Keys are PEM files, made with `openssl genpkey -algorithm ed25519` (deploy/dev-pki does it).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

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
  std::int64_t issued_at = 0;   // unix seconds
  std::int64_t expires_at = 0;  // unix seconds
};

enum class AssertionError {
  kMissing,
  kMalformed,
  kBadSignature,
  kExpired,
  kNotYetValid,
  kWrongAudience
};
const char* describe(AssertionError e);

class AssertionSigner {
 public:
  explicit AssertionSigner(const std::string& private_key_pem_file);
  ~AssertionSigner();
  std::string sign(const AccessAssertion& a) const;

 private:
  struct Key;
  std::unique_ptr<Key> key_;
};

class AssertionVerifier {
 public:
  explicit AssertionVerifier(const std::string& public_key_pem_file);
  ~AssertionVerifier();
  // Checks the signature, the validity window (with `skew_s` tolerance) and the audience.
  std::variant<AccessAssertion, AssertionError> verify(std::string_view token,
                                                       std::string_view audience,
                                                       std::int64_t now_s,
                                                       std::int64_t skew_s = 30) const;

 private:
  struct Key;
  std::unique_ptr<Key> key_;
};

std::int64_t unix_now();

}  // namespace hareyaka
