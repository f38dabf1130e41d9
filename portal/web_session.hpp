// The browser session over HTTP: login (ID + password + one-time code, with first-login
// enrolment of the one-time code; or an HPKI card), the session cookie (Secure, HttpOnly,
// SameSite=Strict), CSRF on every state-changing request, logout. require_caller() is what
// every other browser endpoint calls first.
#pragma once

#include <optional>
#include <string>

#include "common/router.hpp"
#include "hpd/directory_store.hpp"
#include "portal/audit/audit_log.hpp"
#include "portal/auth/authenticator.hpp"
#include "portal/auth/hpki_verifier.hpp"
#include "portal/auth/session_store.hpp"

namespace hareyaka::portal {

inline constexpr const char* kSessionCookie = "hareyaka_session";

struct WebServices {
  hpd::DirectoryStore& directory;
  auth::Authenticator& authenticator;
  auth::SessionStore& sessions;
  audit::AuditLog& audit;
  const auth::HpkiVerifier* hpki = nullptr;  // null: HPKI login not configured
  std::chrono::seconds idle_timeout{1800};
};

// The authenticated user of a request.
struct Caller {
  hpd::User user;
  hpd::Facility facility;
  auth::Session session;
  bool admin = false;  // the secretariat
};

// Throws Error: kUnauthorized without a live session, kForbidden ("csrf") when a
// state-changing request lacks the session's CSRF token.
Caller require_caller(WebServices& services, const http::Request& req);
// The same, and the caller must be a secretariat administrator.
Caller require_admin(WebServices& services, const http::Request& req);

// The session cookie's value from a Cookie header, if present.
std::optional<std::string> session_token(const http::Request& req);

void add_session_routes(http::Router& web, WebServices& services);

}  // namespace hareyaka::portal
