// Portal sessions in PostgreSQL, so every portal replica sees them. The session id is 256
// random bits (base64url, 43 characters) given to the browser in a cookie; only its SHA-256
// is stored. A session ends at logout, after `idle` without a request, or `absolute` after
// login, whichever comes first. The time of the last request (last_seen_at) is written at
// most once per touch_every (default 60 s; a tenth of `idle` when that is shorter), not on
// every request: a request only reads its session. So the idle timer runs from the last
// write, and a session ends up to that interval early (never late) after its last request. Each
// session has a CSRF token (another 256 random bits) that every state-changing request must echo
// (header), checked in constant time.
//
// Cookie attributes (set by the HTTP layer): Secure; HttpOnly; SameSite=Strict; Path=/.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "common/pg.hpp"
#include "hpd/time.hpp"

namespace hareyaka::auth {

// 32 random bytes as base64url without padding (43 characters): session and CSRF tokens, and
// the FHIR API's OAuth codes and tokens.
std::string random_token();

using hpd::TimePoint;

enum class AuthMethod { kPasswordTotp, kHpki };
std::string_view to_string(AuthMethod m);

struct SessionSettings {
  std::chrono::seconds idle{std::chrono::minutes(30)};
  std::chrono::seconds absolute{std::chrono::hours(12)};
  std::chrono::seconds touch_every{std::chrono::minutes(1)};  // see the top of this file
};

struct Session {
  std::int64_t user_id = 0;
  AuthMethod method = AuthMethod::kPasswordTotp;
  std::string csrf_token;
  TimePoint created_at;
  TimePoint last_seen_at;
  TimePoint absolute_expiry;
};

struct NewSession {
  std::string token;  // for the cookie; not stored anywhere on the server
  Session session;
};

class SessionStore {
 public:
  SessionStore(pg::Pool& pool, SessionSettings settings) : pool_(pool), settings_(settings) {}

  NewSession create(std::int64_t user_id, AuthMethod method, TimePoint now);
  // The live session for a token, its idle timer restarted (written only when the stored
  // time is older than the touch interval); std::nullopt when unknown,
  // malformed, idle too long or past its absolute expiry (an expired one is deleted).
  std::optional<Session> lookup(std::string_view token, TimePoint now);
  // Ends the session; false if there was none.
  bool logout(std::string_view token);
  // Ends every session of a user (password change, account locked or retired).
  int logout_all(std::int64_t user_id);
  // Deletes up to `limit` expired sessions; returns how many (a periodic job calls it).
  int purge_expired(TimePoint now, int limit = 1000);

  // Constant-time comparison of the presented CSRF token with the session's.
  static bool check_csrf(const Session& s, std::string_view presented);

 private:
  std::chrono::microseconds touch_interval() const;
  pg::Pool& pool_;
  SessionSettings settings_;
};

}  // namespace hareyaka::auth
