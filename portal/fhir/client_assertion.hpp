// SMART Backend Services (#19): the signed JWT a registered system presents at the token
// endpoint instead of a user's login (RFC 7523 client authentication, "private_key_jwt"). The
// system registered its public keys with the secretariat as a JWK Set; an assertion is a JWS
// compact serialization signed RS384 or ES384 by one of them, naming the client as iss and
// sub, this token endpoint as aud, a unique jti and an expiry at most five minutes ahead.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace hareyaka::fhir {

struct ClientAssertion {
  std::string issuer;  // iss = sub = the client id
  std::string audience;
  std::string jti;
  std::int64_t expires_at = 0;  // unix seconds
};

// The claims of a well-formed assertion whose signature one key of `jwks` verifies.
// Throws Error kUnauthorized naming what is wrong (never the key material). The claims' values
// (iss, aud, exp, jti) are the caller's to check against the client and the clock.
ClientAssertion verify_client_assertion(std::string_view jwt, const nlohmann::json& jwks);

// The iss claim of an assertion, unverified (to find the client whose keys verify it); "" when
// it cannot be read.
std::string assertion_issuer(std::string_view jwt);

// A JWK Set a system may register: {"keys":[...]} of RSA (2048 bits or more) or EC P-384
// public keys, each usable for RS384 or ES384. Throws Error kUnprocessable otherwise.
void check_jwks(const nlohmann::json& jwks);

}  // namespace hareyaka::fhir
