#include "portal/web_session.hpp"

#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "proto/encoding/dates.hpp"

namespace hareyaka::portal {
namespace {

using http::Request;
using http::Response;
using nlohmann::json;

bool state_changing(const std::string& method) {
  return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

std::string cookie(const std::string& token) {
  return std::string(kSessionCookie) + "=" + token + "; Path=/; Secure; HttpOnly; SameSite=Strict";
}

std::string clearing_cookie() {
  return std::string(kSessionCookie) + "=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0";
}

json session_json(const hpd::User& u, const hpd::Facility& f, const auth::Session& s,
                  std::chrono::seconds idle) {
  // admin: the console; stats: the prefecture officer's statistics page only; upload: the
  // facility data manager's upload page only; viewer: patients.
  json roles = u.profession == hpd::Profession::kSecretariatAdmin    ? json::array({"admin"})
               : u.profession == hpd::Profession::kPrefectureOfficer ? json::array({"stats"})
               : u.profession == hpd::Profession::kDataManager       ? json::array({"upload"})
                                                                     : json::array({"viewer"});
  return {
      {"user",
       {{"login_id", u.login_id},
        {"display_name", u.display_name},
        {"profession", hpd::to_string(u.profession)},
        {"roles", std::move(roles)},
        {"facility", {{"oid", f.oid}, {"name", f.name_kanji}, {"kind", hpd::to_string(f.kind)}}}}},
      {"csrf_token", s.csrf_token},
      {"idle_timeout_s", idle.count()},
      {"expires_at", encoding::iso_utc(s.absolute_expiry)}};
}

void audit_login(WebServices& sv, const Request& req, audit::Outcome outcome,
                 const std::string& login_id, const hpd::User* user, std::string_view reason,
                 std::string_view method) {
  audit::AuditEvent e;
  e.type = audit::EventType::kLogin;
  e.outcome = outcome;
  e.actor_user = login_id;
  if (user) {
    e.actor_profession = std::string(hpd::to_string(user->profession));
    e.actor_facility = user->facility_oid;
  }
  e.reason = std::string(reason);
  e.detail = std::string(method);
  e.request_id = req.request_id;
  sv.audit.append(e, hpd::Clock::now());
}

// The answer to a refused login. A disabled account (locked by the secretariat or retired)
// gets the answer of a wrong password even after the right one, so the answer never confirms
// a password; the audit record keeps the true reason. HPKI keeps account_disabled: the card
// already identifies its holder and no guessable secret is confirmed.
Response login_refused(const auth::LoginResult& r, const Request& req, bool password_flow) {
  int status = 401;
  std::string code = "unauthorized";
  std::string message = r.message;
  auth::LoginStatus shown = r.status;
  if (password_flow && r.status == auth::LoginStatus::kAccountDisabled) {
    shown = auth::LoginStatus::kInvalidCredentials;
    message = auth::kBadCredentialsMessage;
  } else if (r.status == auth::LoginStatus::kLocked) {
    status = 423;
    code = "locked";
  } else if (r.status == auth::LoginStatus::kAccountDisabled) {
    status = 403;
    code = "account_disabled";
  } else if (r.status == auth::LoginStatus::kTotpRequired) {
    code = "totp_required";
  }
  json body{{"error", code},
            {"message", message},
            {"request_id", req.request_id},
            {"reason", auth::to_string(shown)}};
  if (r.locked_until)
    body["locked_until"] = encoding::iso_utc(*r.locked_until);
  return Response::json(status, body.dump());
}

// The audit reason of a login that ended in an Error (the facility does not view, the TOTP
// key is missing, a malformed body, ...): every failed login is audited, not only the
// refusals the authenticator answers as values.
std::string failure_reason(const Error& e) {
  return std::string(to_string(e.code())) + ": " + e.external();
}

Response start_session(WebServices& sv, const Request& req, const hpd::User& u,
                       auth::AuthMethod method) {
  auto facility = sv.directory.find_facility(u.facility_oid);
  if (!facility)
    throw Error(ErrorCode::kForbidden, "your facility is not registered");
  // A data manager views nothing: its facility need not be a viewing one (it uploads to the
  // facility's gateway, POST /api/v1/uploads/ssmix2).
  const bool uploads_only = u.profession == hpd::Profession::kDataManager;
  if (facility->status != hpd::FacilityStatus::kActive || (!facility->views && !uploads_only)) {
    throw Error(ErrorCode::kForbidden, "your facility does not take part in viewing");
  }
  auto created = sv.sessions.create(u.id, method, hpd::Clock::now());
  audit_login(sv, req, audit::Outcome::kSuccess, u.login_id, &u, "", auth::to_string(method));
  Response res =
      Response::json(200, session_json(u, *facility, created.session, sv.idle_timeout).dump());
  res.headers["Set-Cookie"] = cookie(created.token);
  return res;
}

json parse_body(const Request& req) {
  try {
    auto j = json::parse(req.body);
    if (!j.is_object())
      throw Error(ErrorCode::kBadRequest, "expected a JSON object");
    return j;
  } catch (const json::parse_error&) {
    throw Error(ErrorCode::kBadRequest, "the body is not valid JSON");
  }
}

std::string field(const json& j, const char* name, bool required = true) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) {
    if (required)
      throw Error(ErrorCode::kBadRequest, std::string(name) + " is required");
    return {};
  }
  if (!it->is_string())
    throw Error(ErrorCode::kBadRequest, std::string(name) + " must be a string");
  return it->get<std::string>();
}

}  // namespace

std::optional<std::string> session_token(const Request& req) {
  auto header = req.header("Cookie");
  if (!header)
    return std::nullopt;
  const std::string key = std::string(kSessionCookie) + "=";
  std::string_view h = *header;
  while (!h.empty()) {
    auto semi = h.find(';');
    std::string_view part = h.substr(0, semi);
    while (!part.empty() && part.front() == ' ')
      part.remove_prefix(1);
    if (part.substr(0, key.size()) == key)
      return std::string(part.substr(key.size()));
    if (semi == std::string_view::npos)
      break;
    h.remove_prefix(semi + 1);
  }
  return std::nullopt;
}

Caller require_caller(WebServices& sv, const Request& req) {
  auto token = session_token(req);
  if (!token)
    throw Error(ErrorCode::kUnauthorized, "please log in");
  auto session = sv.sessions.lookup(*token, hpd::Clock::now());
  if (!session)
    throw Error(ErrorCode::kUnauthorized, "your session has ended; please log in again");
  if (state_changing(req.method) &&
      !auth::SessionStore::check_csrf(*session, req.header("X-CSRF-Token").value_or(""))) {
    throw Error(ErrorCode::kForbidden, "csrf", "missing or wrong CSRF token");
  }
  auto user = sv.directory.find_user(session->user_id);
  if (!user || user->status != hpd::UserStatus::kActive) {
    sv.sessions.logout(*token);
    throw Error(ErrorCode::kUnauthorized, "your account is not active");
  }
  auto facility = sv.directory.find_facility(user->facility_oid);
  if (!facility)
    throw Error(ErrorCode::kForbidden, "your facility is not registered");
  // A suspended or retired facility's staff see nothing from then on, including sessions
  // opened before: the session ends, as for a locked account.
  if (facility->status != hpd::FacilityStatus::kActive) {
    sv.sessions.logout(*token);
    throw Error(ErrorCode::kUnauthorized, "your facility is not active in the network");
  }
  Caller c{*user, *facility, *session, user->profession == hpd::Profession::kSecretariatAdmin};
  return c;
}

Caller require_admin(WebServices& sv, const Request& req) {
  Caller c = require_caller(sv, req);
  if (!c.admin)
    throw Error(ErrorCode::kForbidden, "this needs the secretariat administrator role");
  return c;
}

void add_session_routes(http::Router& web, WebServices& sv) {
  web.add_blocking(
      "POST", "/api/v1/session",
      [&sv](Request& req) {
        std::string login_id;
        try {
          const json body = parse_body(req);
          login_id = field(body, "login_id");
          const std::string password = field(body, "password");
          const std::string totp = field(body, "totp", false);
          // Only compared with the secret the portal offered (never enrolled itself).
          const std::string enrolment_secret = field(body, "enrolment_secret", false);
          const auto now = hpd::Clock::now();
          auth::LoginResult r = sv.authenticator.login(login_id, password, totp, now);
          if (r.status == auth::LoginStatus::kTotpEnrolmentRequired && r.user && !totp.empty())
            r = sv.authenticator.complete_enrolment(r.user->id, totp, now, enrolment_secret);
          if (r.status == auth::LoginStatus::kTotpEnrolmentRequired && r.user) {
            auto e = sv.authenticator.begin_enrolment(*r.user, now);
            return Response::json(200, json{{"enrolment_required", true},
                                            {"otpauth_uri", e.otpauth_uri},
                                            {"secret", e.secret_base32},
                                            {"message", r.message}}
                                           .dump());
          }
          if (!r.ok() || !r.user) {
            audit_login(sv, req, audit::Outcome::kDenied, login_id, r.user ? &*r.user : nullptr,
                        auth::to_string(r.status), "password_totp");
            return login_refused(r, req, true);
          }
          return start_session(sv, req, *r.user, auth::AuthMethod::kPasswordTotp);
        } catch (const Error& e) {
          audit_login(sv, req, audit::Outcome::kDenied, login_id, nullptr, failure_reason(e),
                      "password_totp");
          throw;
        }
      },
      {.body_limit = 4096, .summary = "log in with ID, password and one-time code"});

  web.add_blocking(
      "POST", "/api/v1/session/hpki",
      [&sv](Request& req) {
        if (!sv.hpki)
          throw Error(ErrorCode::kNotFound, "HPKI login is not configured here");
        std::optional<hpd::User> user;
        try {
          if (!req.peer || req.peer->der.empty()) {
            throw Error(ErrorCode::kUnauthorized,
                        "no HPKI card certificate was presented; insert the card and try again");
          }
          auto r = sv.authenticator.login_hpki(*sv.hpki, req.peer->der, hpd::Clock::now());
          user = r.user;
          if (!r.ok() || !r.user) {
            audit_login(sv, req, audit::Outcome::kDenied, r.user ? r.user->login_id : "",
                        r.user ? &*r.user : nullptr, auth::to_string(r.status), "hpki");
            return login_refused(r, req, false);
          }
          return start_session(sv, req, *r.user, auth::AuthMethod::kHpki);
        } catch (const Error& e) {
          audit_login(sv, req, audit::Outcome::kDenied, user ? user->login_id : "",
                      user ? &*user : nullptr, failure_reason(e), "hpki");
          throw;
        }
      },
      {.body_limit = 1024, .summary = "log in with an HPKI card (TLS client certificate)"});

  web.add_blocking("GET", "/api/v1/session",
                   [&sv](Request& req) {
                     Caller c = require_caller(sv, req);
                     return Response::json(
                         200, session_json(c.user, c.facility, c.session, sv.idle_timeout).dump());
                   },
                   {.body_limit = 0, .summary = "the current session"});

  web.add_blocking("DELETE", "/api/v1/session",
                   [&sv](Request& req) {
                     Caller c = require_caller(sv, req);
                     sv.sessions.logout(*session_token(req));
                     audit::AuditEvent e{
                         .type = audit::EventType::kLogout,
                         .actor_user = c.user.login_id,
                         .actor_profession = std::string(hpd::to_string(c.user.profession)),
                         .actor_facility = c.user.facility_oid,
                         .request_id = req.request_id};
                     sv.audit.append(e, hpd::Clock::now());
                     Response res;
                     res.status = 204;
                     res.headers["Set-Cookie"] = clearing_cookie();
                     return res;
                   },
                   {.body_limit = 0, .summary = "log out"});
}

}  // namespace hareyaka::portal
