#include "portal/auth/session_store.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sodium.h>

#include <algorithm>

#include "common/digest.hpp"
#include "common/error.hpp"

namespace hareyaka::auth {
namespace {

constexpr std::size_t kTokenBytes = 32;
constexpr std::size_t kTokenChars = 43;  // base64url of 32 bytes, no padding

constexpr pg::Statement kInsert{
    "auth_session_insert",
    "INSERT INTO sessions (token_hash, user_id, csrf_token, auth_method, created_at, "
    "last_seen_at, absolute_expiry) VALUES ($1, $2, $3, $4, hy_ts($5), hy_ts($5), hy_ts($6))"};
constexpr pg::Statement kFind{
    "auth_session_find",
    "SELECT user_id, auth_method, csrf_token, hy_us(created_at), hy_us(last_seen_at), "
    "hy_us(absolute_expiry) FROM sessions WHERE token_hash = $1 AND last_seen_at > hy_ts($2) - "
    "$3 * interval '1 second' AND absolute_expiry > hy_ts($2)"};
// Only when the stored time is at least $3 µs old: of two replicas touching at once, the
// second finds the row already moved on (READ COMMITTED re-checks the WHERE) and writes nothing.
constexpr pg::Statement kTouch{
    "auth_session_touch",
    "UPDATE sessions SET last_seen_at = hy_ts($2) WHERE token_hash = $1 AND last_seen_at <= "
    "hy_ts($2) - $3 * interval '1 microsecond'"};
constexpr pg::Statement kDelete{"auth_session_delete",
                                "DELETE FROM sessions WHERE token_hash = $1"};
constexpr pg::Statement kDeleteUser{"auth_session_delete_user",
                                    "DELETE FROM sessions WHERE user_id = $1"};
constexpr pg::Statement kPurge{
    "auth_session_purge",
    "DELETE FROM sessions WHERE token_hash IN (SELECT token_hash FROM sessions "
    "WHERE absolute_expiry <= hy_ts($1) OR last_seen_at <= hy_ts($1) - $2 * interval '1 second' "
    "LIMIT $3)"};

bool well_formed(std::string_view token) {
  if (token.size() != kTokenChars)
    return false;
  for (char c : token) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok)
      return false;
  }
  return true;
}

std::string token_hash(std::string_view token) {
  return sha256_hex(token);
}

}  // namespace

std::string random_token() {
  if (sodium_init() < 0)
    throw Error(ErrorCode::kInternal, "internal error", "sodium_init failed");
  unsigned char bytes[kTokenBytes];
  randombytes_buf(bytes, sizeof bytes);
  char out[sodium_base64_ENCODED_LEN(kTokenBytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(out, sizeof out, bytes, sizeof bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return out;
}

std::string_view to_string(AuthMethod m) {
  return m == AuthMethod::kHpki ? "hpki" : "password_totp";
}

NewSession SessionStore::create(std::int64_t user_id, AuthMethod method, TimePoint now) {
  NewSession out;
  out.token = random_token();
  out.session.user_id = user_id;
  out.session.method = method;
  out.session.csrf_token = random_token();
  out.session.created_at = now;
  out.session.last_seen_at = now;
  out.session.absolute_expiry = now + settings_.absolute;
  pg::transact(pool_, [&](pg::Tx& tx) {
    tx.exec(kInsert, token_hash(out.token), user_id, out.session.csrf_token,
            std::string(to_string(method)), hpd::to_us(now),
            hpd::to_us(out.session.absolute_expiry));
  });
  return out;
}

std::optional<Session> SessionStore::lookup(std::string_view token, TimePoint now) {
  if (!well_formed(token))
    return std::nullopt;
  const std::string h = token_hash(token);
  return pg::transact(pool_, [&](pg::Tx& tx) -> std::optional<Session> {
    auto res = tx.exec(kFind, h, hpd::to_us(now), static_cast<long long>(settings_.idle.count()));
    if (res.empty()) {
      tx.exec(kDelete, h);  // expired (or unknown): make sure it cannot come back
      return std::nullopt;
    }
    const auto& r = res[0];
    Session s;
    s.user_id = r[0].as<std::int64_t>();
    s.method = r[1].as<std::string>() == "hpki" ? AuthMethod::kHpki : AuthMethod::kPasswordTotp;
    s.csrf_token = r[2].as<std::string>();
    s.created_at = hpd::from_us(r[3].as<std::int64_t>());
    s.last_seen_at = hpd::from_us(r[4].as<std::int64_t>());
    s.absolute_expiry = hpd::from_us(r[5].as<std::int64_t>());
    const auto every = touch_interval();
    if (now - s.last_seen_at >= every) {
      const auto every_us = std::chrono::duration_cast<std::chrono::microseconds>(every).count();
      if (tx.exec(kTouch, h, hpd::to_us(now), static_cast<long long>(every_us)).affected_rows())
        s.last_seen_at = now;
    }
    return s;
  });
}

std::chrono::microseconds SessionStore::touch_interval() const {
  using std::chrono::microseconds;
  return std::min(std::chrono::duration_cast<microseconds>(settings_.touch_every),
                  std::chrono::duration_cast<microseconds>(settings_.idle) / 10);
}

bool SessionStore::logout(std::string_view token) {
  if (!well_formed(token))
    return false;
  return pg::transact(
      pool_, [&](pg::Tx& tx) { return tx.exec(kDelete, token_hash(token)).affected_rows() > 0; });
}

int SessionStore::logout_all(std::int64_t user_id) {
  return pg::transact(pool_, [&](pg::Tx& tx) {
    return static_cast<int>(tx.exec(kDeleteUser, user_id).affected_rows());
  });
}

int SessionStore::purge_expired(TimePoint now, int limit) {
  return pg::transact(pool_, [&](pg::Tx& tx) {
    return static_cast<int>(
        tx.exec(kPurge, hpd::to_us(now), static_cast<long long>(settings_.idle.count()), limit)
            .affected_rows());
  });
}

bool SessionStore::check_csrf(const Session& s, std::string_view presented) {
  if (presented.size() != s.csrf_token.size() || presented.empty())
    return false;
  return CRYPTO_memcmp(presented.data(), s.csrf_token.data(), presented.size()) == 0;
}

}  // namespace hareyaka::auth
