// SMART App Launch 2.0 for the FHIR API (#19), the standalone launch: a registered app sends
// the user to GET /fhir/auth/authorize (PKCE S256), the user logs in to the portal as usual
// (password + TOTP or HPKI; an open session is used as it is), with launch/patient picks the
// patient in the portal (#/fhir-launch, then POST /fhir/auth/launch), and the app trades the
// one-time code at POST /fhir/auth/token for a bearer token (and, with offline_access, a
// rotating refresh token). SMART Backend Services: a registered system trades a signed JWT
// (client_credentials, client_assertion.hpp) for a token acting as its directory user. A
// token acts for its user and never widens access: every FHIR read is decided by consent and
// role policy like the web UI's. Clients are registered by the secretariat
// (/api/v1/admin/fhir-clients).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "common/pg.hpp"
#include "common/router.hpp"
#include "portal/admin/admin_common.hpp"
#include "portal/web_session.hpp"

namespace hareyaka::fhir {

struct SmartSettings {
  std::chrono::seconds code_lifetime{60};
  std::chrono::seconds access_lifetime{3600};
  std::chrono::seconds refresh_lifetime{30 * 24 * 3600};
};

// The user a bearer token acts for, and what it was granted.
struct TokenCaller {
  portal::Caller caller;
  std::string client_id;
  std::set<std::string> scopes;
  // The launch context's patient (launch/patient), when the user picked one.
  std::optional<std::int64_t> patient;
  // May the token read this resource type ("Patient")? user/, system/ or (with a launch
  // patient) patient/ <type or *>.<r...> or .read.
  bool may_read(std::string_view resource_type) const;
  // The patient the token reaches for this type when only a patient/ scope covers it (every
  // other patient is then as absent); nothing when it may read any patient the user may.
  std::optional<std::int64_t> confined(std::string_view resource_type) const;

 private:
  bool may_read_any_patient(std::string_view resource_type) const;
};

class SmartAuth {
 public:
  SmartAuth(portal::WebServices& web, pg::Pool& pool, SmartSettings settings = {})
      : web_(web), pool_(pool), settings_(settings) {}

  // GET /fhir/auth/authorize, POST /fhir/auth/token, GET /fhir/.well-known/smart-configuration.
  void add_routes(http::Router& web);
  // The caller of a FHIR request: Error kUnauthorized without a live bearer token of an
  // active app, user and facility.
  TokenCaller require_token(const http::Request& req);
  // GET /fhir/auth/authorize (`req`), or its second step with the patient the user picked
  // (POST /fhir/auth/launch, checked by the caller to be one the user may see): a redirect to
  // the app with a code, to the login, or to the patient picker.
  http::Response authorize(const http::Request& req,
                           std::optional<std::int64_t> patient = std::nullopt);

 private:
  http::Response token(const http::Request& req);

  portal::WebServices& web_;
  pg::Pool& pool_;
  SmartSettings settings_;
};

// "https://<Host>/fhir": the base URL as the client reached it.
std::string fhir_base(const http::Request& req);

// /api/v1/admin/fhir-clients: register, list and revoke apps (secretariat, audited).
void add_fhir_client_routes(http::Router& web, admin::AdminServices& sv);

}  // namespace hareyaka::fhir
