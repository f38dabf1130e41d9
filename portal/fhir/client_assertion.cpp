#include "portal/fhir/client_assertion.hpp"

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <memory>
#include <optional>

#include "common/error.hpp"
#include "proto/encoding/base64.hpp"

namespace hareyaka::fhir {
namespace {

using nlohmann::json;

using Pkey = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Bn = std::unique_ptr<BIGNUM, decltype(&BN_free)>;

[[noreturn]] void unauthorized(const std::string& what) {
  throw Error(ErrorCode::kUnauthorized, "client_assertion: " + what);
}

std::optional<std::string> b64url(const json& key, const char* member) {
  auto it = key.find(member);
  if (it == key.end() || !it->is_string())
    return std::nullopt;
  return base64_decode(it->get<std::string>(), Base64Alphabet::kUrlNoPadding);
}

Bn bignum(const std::string& bytes) {
  return Bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                      static_cast<int>(bytes.size()), nullptr),
            BN_free);
}

// One JWK as a public key, or the reason it is not one we take.
Pkey public_key(const json& k, std::string& why) {
  Pkey none(nullptr, EVP_PKEY_free);
  if (!k.is_object()) {
    why = "a key is not a JSON object";
    return none;
  }
  for (const char* secret : {"d", "p", "q", "dp", "dq", "qi", "k"}) {
    if (k.contains(secret)) {
      why = "a key holds private parts (register the public key only)";
      return none;
    }
  }
  const std::string kty = k.value("kty", "");
  std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> bld(OSSL_PARAM_BLD_new(),
                                                                      OSSL_PARAM_BLD_free);
  Bn n(nullptr, BN_free), e(nullptr, BN_free);
  std::string point;
  const char* type = nullptr;
  if (kty == "RSA") {
    auto nb = b64url(k, "n"), eb = b64url(k, "e");
    if (!nb || !eb || nb->size() < 256 || eb->empty() || eb->size() > 8) {
      why = "an RSA key needs n (2048 bits or more) and e, base64url";
      return none;
    }
    n = bignum(*nb);
    e = bignum(*eb);
    OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get());
    OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get());
    type = "RSA";
  } else if (kty == "EC") {
    auto x = b64url(k, "x"), y = b64url(k, "y");
    if (k.value("crv", "") != "P-384" || !x || !y || x->size() != 48 || y->size() != 48) {
      why = "an EC key must be P-384 with x and y (48 bytes each), base64url";
      return none;
    }
    point = std::string(1, '\x04') + *x + *y;
    OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "secp384r1", 0);
    OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                     point.size());
    type = "EC";
  } else {
    why = "kty must be RSA or EC";
    return none;
  }
  std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)> params(OSSL_PARAM_BLD_to_param(bld.get()),
                                                                 OSSL_PARAM_free);
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr), EVP_PKEY_CTX_free);
  EVP_PKEY* out = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &out, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    why = "a key is not a valid " + kty + " public key";
    return none;
  }
  Pkey key(out, EVP_PKEY_free);
  if (kty == "EC") {
    // The point must be on the curve.
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> check(
        EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr), EVP_PKEY_CTX_free);
    if (!check || EVP_PKEY_public_check(check.get()) != 1) {
      why = "an EC key's point is not on P-384";
      return none;
    }
  }
  return key;
}

// JWS ES384 is r || s (48 bytes each); OpenSSL verifies DER.
std::optional<std::string> der_of_es384(const std::string& raw) {
  if (raw.size() != 96)
    return std::nullopt;
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), 48, nullptr);
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()) + 48, 48, nullptr);
  if (!sig || !r || !s || ECDSA_SIG_set0(sig, r, s) != 1) {
    BN_free(r), BN_free(s), ECDSA_SIG_free(sig);
    return std::nullopt;
  }
  unsigned char* der = nullptr;
  const int len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (len <= 0)
    return std::nullopt;
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return out;
}

bool verifies(EVP_PKEY* key, std::string_view input, const std::string& sig) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  return ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha384(), nullptr, key) == 1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                          reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
}

json part(std::string_view text, const char* what) {
  auto bytes = base64_decode(text, Base64Alphabet::kUrlNoPadding);
  if (!bytes)
    unauthorized(std::string("the ") + what + " is not base64url");
  json j = json::parse(*bytes, nullptr, false);
  if (!j.is_object())
    unauthorized(std::string("the ") + what + " is not a JSON object");
  return j;
}

}  // namespace

std::string assertion_issuer(std::string_view jwt) {
  const auto dot1 = jwt.find('.');
  const auto dot2 = dot1 == std::string_view::npos ? dot1 : jwt.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos)
    return "";
  auto bytes = base64_decode(jwt.substr(dot1 + 1, dot2 - dot1 - 1), Base64Alphabet::kUrlNoPadding);
  if (!bytes)
    return "";
  const json claims = json::parse(*bytes, nullptr, false);
  if (!claims.is_object() || !claims.contains("iss") || !claims["iss"].is_string())
    return "";
  const std::string iss = claims["iss"].get<std::string>();
  return iss.size() <= 64 ? iss : "";
}

void check_jwks(const json& jwks) {
  if (!jwks.is_object() || !jwks.contains("keys") || !jwks["keys"].is_array() ||
      jwks["keys"].empty() || jwks["keys"].size() > 10)
    throw Error(ErrorCode::kUnprocessable, "jwks: a JWK Set {\"keys\":[...]} of 1 to 10 keys");
  for (const auto& k : jwks["keys"]) {
    std::string why;
    if (!public_key(k, why))
      throw Error(ErrorCode::kUnprocessable, "jwks: " + why);
  }
}

ClientAssertion verify_client_assertion(std::string_view jwt, const json& jwks) {
  if (jwt.size() > 16 * 1024)
    unauthorized("too long");
  const auto dot1 = jwt.find('.');
  const auto dot2 = dot1 == std::string_view::npos ? dot1 : jwt.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || jwt.find('.', dot2 + 1) != std::string_view::npos)
    unauthorized("not a JWS compact serialization (header.payload.signature)");
  const json header = part(jwt.substr(0, dot1), "header");
  const json claims = part(jwt.substr(dot1 + 1, dot2 - dot1 - 1), "payload");
  auto sig = base64_decode(jwt.substr(dot2 + 1), Base64Alphabet::kUrlNoPadding);
  if (!sig)
    unauthorized("the signature is not base64url");
  const std::string alg = header.value("alg", "");
  if (alg != "RS384" && alg != "ES384")
    unauthorized("alg must be RS384 or ES384");
  if (alg == "ES384") {
    sig = der_of_es384(*sig);
    if (!sig)
      unauthorized("an ES384 signature is 96 bytes (r || s)");
  }
  const std::string kid = header.value("kid", "");
  const std::string_view input = jwt.substr(0, dot2);
  bool ok = false;
  if (jwks.is_object() && jwks.contains("keys") && jwks["keys"].is_array()) {
    for (const auto& k : jwks["keys"]) {
      if (!k.is_object() || k.value("kty", "") != (alg == "RS384" ? "RSA" : "EC") ||
          (!kid.empty() && k.value("kid", "") != kid))
        continue;
      std::string why;
      if (Pkey key = public_key(k, why); key && verifies(key.get(), input, *sig)) {
        ok = true;
        break;
      }
    }
  }
  if (!ok)
    unauthorized("the signature does not verify with a registered key");
  ClientAssertion a;
  auto text = [&](const char* name) {
    auto it = claims.find(name);
    if (it == claims.end() || !it->is_string() || it->get<std::string>().empty())
      unauthorized(std::string("the claim ") + name + " is missing");
    return it->get<std::string>();
  };
  a.issuer = text("iss");
  if (text("sub") != a.issuer)
    unauthorized("sub must equal iss (the client id)");
  a.jti = text("jti");
  if (a.jti.size() > 255)
    unauthorized("jti is too long");
  if (auto it = claims.find("aud"); it != claims.end() && it->is_string())
    a.audience = it->get<std::string>();
  else if (it != claims.end() && it->is_array() && it->size() == 1 && (*it)[0].is_string())
    a.audience = (*it)[0].get<std::string>();
  else
    unauthorized("aud must be the token endpoint's URL");
  auto exp = claims.find("exp");
  if (exp == claims.end() || !exp->is_number_integer())
    unauthorized("exp must be a number (unix seconds)");
  a.expires_at = exp->get<std::int64_t>();
  return a;
}

}  // namespace hareyaka::fhir
