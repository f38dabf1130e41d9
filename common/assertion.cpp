#include "common/assertion.hpp"

#include <openssl/rand.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "common/digest.hpp"
#include "common/error.hpp"
#include "common/signing.hpp"
#include "common/tls.hpp"
#include "proto/encoding/base64.hpp"

namespace hareyaka {
namespace {

// 128 random bits: ids never collide in practice, so a refusal as "already used" is a replay.
std::string fresh_id() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    throw Error(ErrorCode::kInternal, "internal error",
                "no random bytes for an assertion id: " + tls::drain_openssl_errors());
  }
  return to_hex(std::string_view(reinterpret_cast<char*>(bytes), sizeof bytes));
}

bool is_fingerprint(std::string_view s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

}  // namespace

const char* describe(AssertionError e) {
  switch (e) {
    case AssertionError::kMissing:
      return "no access assertion";
    case AssertionError::kMalformed:
      return "malformed access assertion";
    case AssertionError::kBadSignature:
      return "access assertion signature invalid";
    case AssertionError::kExpired:
      return "access assertion expired";
    case AssertionError::kNotYetValid:
      return "access assertion not yet valid";
    case AssertionError::kWrongAudience:
      return "access assertion is for another facility";
    case AssertionError::kTooLong:
      return "access assertion lifetime is longer than this gateway accepts";
    case AssertionError::kWrongPresenter:
      return "access assertion was issued to another node";
    case AssertionError::kReplayed:
      return "access assertion already used";
    case AssertionError::kTooManyInFlight:
      return "too many access assertions in flight";
  }
  return "invalid access assertion";
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct AssertionSigner::Key {
  Ed25519Key key;
};

AssertionSigner::AssertionSigner(const std::string& file, std::string presenter_sha256)
    : key_(std::make_unique<Key>(Key{Ed25519Key::private_from_file(file, "assertion key")})),
      presenter_(std::move(presenter_sha256)) {}
AssertionSigner::~AssertionSigner() = default;

std::string AssertionSigner::sign(const AccessAssertion& a) const {
  nlohmann::json claims{{"usr", a.user},
                        {"prof", a.profession},
                        {"fac", a.facility_oid},
                        {"aud", a.audience},
                        {"aa", a.authority},
                        {"pid", a.local_id},
                        {"cat", a.category},
                        {"pur", a.purpose},
                        {"rid", a.request_id},
                        {"iat", a.issued_at},
                        {"exp", a.expires_at},
                        {"prs", a.presenter.empty() ? presenter_ : a.presenter},
                        {"jti", a.id.empty() ? fresh_id() : a.id}};
  if (!a.community.empty())
    claims["com"] = a.community;
  const std::string payload = base64_encode(claims.dump(), Base64Alphabet::kUrlNoPadding);
  const std::string sig = key_->key.sign(payload);
  return payload + "." + base64_encode(sig, Base64Alphabet::kUrlNoPadding);
}

struct AssertionVerifier::Key {
  Ed25519Key key;
};

AssertionVerifier::AssertionVerifier(const std::string& file, AssertionPolicy policy)
    : key_(std::make_unique<Key>(Key{Ed25519Key::public_from_file(file, "assertion key")})),
      policy_(policy),
      seen_(std::make_unique<ReplayCache>(policy.replay_cache_entries)) {}
AssertionVerifier::~AssertionVerifier() = default;

std::variant<AccessAssertion, AssertionError> AssertionVerifier::verify(std::string_view token,
                                                                        std::string_view audience,
                                                                        std::string_view presenter,
                                                                        std::int64_t now) const {
  const std::int64_t skew = policy_.skew_s;
  if (token.empty())
    return AssertionError::kMissing;
  const auto dot = token.find('.');
  if (dot == std::string_view::npos || token.size() > 8192)
    return AssertionError::kMalformed;
  const std::string_view payload = token.substr(0, dot);
  const auto decoded_sig = base64_decode(token.substr(dot + 1), Base64Alphabet::kUrlNoPadding);
  const auto decoded_json = base64_decode(payload, Base64Alphabet::kUrlNoPadding);
  if (!decoded_sig || decoded_sig->size() != 64 || !decoded_json)
    return AssertionError::kMalformed;
  const std::string& sig = *decoded_sig;
  const std::string& json = *decoded_json;
  const bool ok = key_->key.verify(payload, sig);
  if (!ok) {
    return AssertionError::kBadSignature;
  }
  AccessAssertion a;
  try {
    const auto j = nlohmann::json::parse(json);
    a.user = j.at("usr").get<std::string>();
    a.profession = j.at("prof").get<std::string>();
    a.facility_oid = j.at("fac").get<std::string>();
    a.audience = j.at("aud").get<std::string>();
    a.authority = j.at("aa").get<std::string>();
    a.local_id = j.at("pid").get<std::string>();
    a.category = j.at("cat").get<std::string>();
    a.purpose = j.at("pur").get<std::string>();
    a.request_id = j.at("rid").get<std::string>();
    a.issued_at = j.at("iat").get<std::int64_t>();
    a.expires_at = j.at("exp").get<std::int64_t>();
    a.presenter = j.at("prs").get<std::string>();
    a.id = j.at("jti").get<std::string>();
    if (j.contains("com"))
      a.community = j.at("com").get<std::string>();
  } catch (const nlohmann::json::exception&) {
    return AssertionError::kMalformed;
  }
  // An assertion without a presenter or an id (the format before both) is refused: it
  // could be presented by anyone, any number of times.
  if (!is_fingerprint(a.presenter) || a.id.empty() || a.id.size() > 64 || a.issued_at < 0 ||
      a.expires_at < a.issued_at) {
    return AssertionError::kMalformed;
  }
  // In this order no sum overflows: 0 <= iat <= exp, then iat <= now + skew bounds exp.
  if (a.expires_at - a.issued_at > policy_.max_lifetime_s)
    return AssertionError::kTooLong;
  if (a.issued_at - skew > now)
    return AssertionError::kNotYetValid;
  if (a.expires_at + skew < now)
    return AssertionError::kExpired;
  if (a.audience != audience)
    return AssertionError::kWrongAudience;
  if (a.presenter != presenter)
    return AssertionError::kWrongPresenter;
  // Last, so only genuine assertions for this node and this presenter take a place in the
  // cache; kept as long as the window above would still accept it.
  switch (seen_->remember(a.id, a.expires_at + skew, now)) {
    case ReplayCache::Result::kReplay:
      return AssertionError::kReplayed;
    case ReplayCache::Result::kFull:
      return AssertionError::kTooManyInFlight;
    case ReplayCache::Result::kFirstUse:
      break;
  }
  return a;
}

}  // namespace hareyaka
