#include "portal/fhir/smart_auth.hpp"

#include <sodium.h>

#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/url.hpp>
#include <map>
#include <sstream>

#include "common/digest.hpp"
#include "common/error.hpp"
#include "portal/admin/admin_routes.hpp"
#include "portal/audit/audit_log.hpp"
#include "portal/auth/session_store.hpp"
#include "portal/fhir/client_assertion.hpp"
#include "proto/hl7v2/charset.hpp"

namespace hareyaka::fhir {
namespace {

using http::Request;
using http::Response;
using nlohmann::json;

constexpr pg::Statement kClient{
    "fhir_client",
    "SELECT redirect_uris, scopes FROM fhir_clients WHERE client_id = $1 AND "
    "status = 'active'"};
constexpr pg::Statement kInsertCode{
    "fhir_code_insert",
    "INSERT INTO fhir_auth_codes (code_hash, client_id, user_id, scope, redirect_uri, "
    "code_challenge, expires_at, patient_id) VALUES ($1, $2, $3, $4, $5, $6, hy_ts($7), $8)"};
// One use only: the row goes whatever the outcome.
constexpr pg::Statement kTakeCode{
    "fhir_code_take",
    "DELETE FROM fhir_auth_codes WHERE code_hash = $1 RETURNING client_id, user_id, scope, "
    "redirect_uri, code_challenge, hy_us(expires_at), patient_id"};
constexpr pg::Statement kTakeRefresh{
    "fhir_refresh_take",
    "DELETE FROM fhir_tokens WHERE token_hash = $1 AND kind = 'refresh' RETURNING client_id, "
    "user_id, scope, hy_us(expires_at), patient_id"};
constexpr pg::Statement kInsertToken{
    "fhir_token_insert",
    "INSERT INTO fhir_tokens (token_hash, kind, client_id, user_id, scope, expires_at, "
    "patient_id) VALUES ($1, $2, $3, $4, $5, hy_ts($6), $7)"};
constexpr pg::Statement kFindToken{
    "fhir_token_find",
    "SELECT t.client_id, t.user_id, t.scope, t.patient_id FROM fhir_tokens t JOIN fhir_clients "
    "c USING "
    "(client_id) WHERE t.token_hash = $1 AND t.kind = 'access' AND t.expires_at > hy_ts($2) "
    "AND c.status = 'active'"};
constexpr pg::Statement kBackend{
    "fhir_backend",
    "SELECT jwks::text, acts_as, scopes FROM fhir_clients WHERE client_id = $1 AND "
    "status = 'active' AND kind = 'backend'"};
constexpr pg::Statement kUseJti{
    "fhir_jti_use",
    "INSERT INTO fhir_assertion_jti (client_id, jti, expires_at) VALUES ($1, $2, hy_ts($3)) "
    "ON CONFLICT DO NOTHING"};
constexpr pg::Statement kPurgeJti{"fhir_jti_purge",
                                  "DELETE FROM fhir_assertion_jti WHERE expires_at <= hy_ts($1)"};
constexpr const char* kJwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
constexpr pg::Statement kPurge{"fhir_token_purge",
                               "DELETE FROM fhir_tokens WHERE expires_at <= hy_ts($1)"};

std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  std::istringstream in{std::string(s)};
  for (std::string w; in >> w;)
    out.push_back(w);
  return out;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& w : v)
    out += (out.empty() ? "" : " ") + w;
  return out;
}

// A clinical-data scope "user/<Type>.<perms>" (SMART v2 "rs", or v1 "read"), split.
struct DataScope {
  std::string context, type, perms;
};
std::optional<DataScope> data_scope(std::string_view s) {
  const auto slash = s.find('/');
  const auto dot = s.find('.', slash == std::string_view::npos ? 0 : slash);
  if (slash == std::string_view::npos || dot == std::string_view::npos)
    return std::nullopt;
  DataScope d{std::string(s.substr(0, slash)), std::string(s.substr(slash + 1, dot - slash - 1)),
              std::string(s.substr(dot + 1))};
  if (d.perms == "read")
    d.perms = "rs";
  if (d.perms == "*" || d.perms == "write")
    d.perms = d.perms == "*" ? "cruds" : "cud";
  return d;
}

// Does the registered scope `allowed` cover the requested `want`?
bool covers(const std::string& allowed, const std::string& want) {
  if (allowed == want)
    return true;
  auto a = data_scope(allowed), w = data_scope(want);
  if (!a || !w || a->context != w->context || (a->type != "*" && a->type != w->type))
    return false;
  return w->perms.find_first_not_of(a->perms) == std::string::npos;
}

std::string encode(std::string_view s) {
  return boost::urls::encode(s, boost::urls::unreserved_chars);
}

std::string s256(std::string_view verifier) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(verifier.data()),
                     verifier.size());
  char out[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES,
                                     sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(out, sizeof out, digest, sizeof digest,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return out;
}

// RFC 7636: 43..128 characters of [A-Za-z0-9-._~].
bool valid_verifier(std::string_view v) {
  if (v.size() < 43 || v.size() > 128)
    return false;
  for (char c : v) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.' || c == '_' || c == '~';
    if (!ok)
      return false;
  }
  return true;
}

Response redirect(const std::string& location) {
  Response r = Response::text(302, "");
  r.headers["Location"] = location;
  r.headers["Cache-Control"] = "no-store";
  return r;
}

// An error for the app at its redirect URI (RFC 6749 4.1.2.1).
Response redirect_error(const std::string& redirect_uri, const std::string& state,
                        const std::string& error, const std::string& description) {
  std::string loc = redirect_uri + (redirect_uri.find('?') == std::string::npos ? "?" : "&") +
                    "error=" + error + "&error_description=" + encode(description);
  if (!state.empty())
    loc += "&state=" + encode(state);
  return redirect(loc);
}

// An error at the token endpoint (RFC 6749 5.2).
Response token_error(int status, const std::string& error, const std::string& description) {
  Response r =
      Response::json(status, json{{"error", error}, {"error_description", description}}.dump());
  r.headers["Cache-Control"] = "no-store";
  return r;
}

std::map<std::string, std::string> form(const Request& req) {
  const auto ct = req.header("Content-Type").value_or("");
  if (ct.rfind("application/x-www-form-urlencoded", 0) != 0)
    throw Error(ErrorCode::kUnsupportedMediaType,
                "the token endpoint takes application/x-www-form-urlencoded");
  boost::urls::url u;
  u.set_encoded_query(req.body);
  std::map<std::string, std::string> out;
  for (auto p : u.params()) {
    if (!hl7v2::is_valid_utf8(p.value) || !out.emplace(p.key, p.value).second)
      throw Error(ErrorCode::kBadRequest,
                  "parameter '" + std::string(p.key) + "' is repeated or not UTF-8");
  }
  return out;
}

std::string param(const std::map<std::string, std::string>& f, const char* name) {
  auto it = f.find(name);
  return it == f.end() ? "" : it->second;
}

audit::AuditEvent auth_event(const hpd::User& u, std::string reason, std::string detail,
                             const Request& req) {
  audit::AuditEvent e;
  e.type = audit::EventType::kLogin;
  e.actor_user = u.login_id;
  e.actor_profession = std::string(hpd::to_string(u.profession));
  e.actor_facility = u.facility_oid;
  e.reason = std::move(reason);
  e.detail = std::move(detail);
  e.request_id = req.request_id;
  return e;
}

}  // namespace

bool TokenCaller::may_read(std::string_view type) const {
  return may_read_any_patient(type) || confined(type).has_value();
}

bool TokenCaller::may_read_any_patient(std::string_view type) const {
  for (const auto& s : scopes) {
    auto d = data_scope(s);
    if (d && (d->context == "user" || d->context == "system") &&
        (d->type == "*" || d->type == type) && d->perms.find('r') != std::string::npos)
      return true;
  }
  return false;
}

std::optional<std::int64_t> TokenCaller::confined(std::string_view type) const {
  if (!patient || may_read_any_patient(type))
    return std::nullopt;
  for (const auto& s : scopes) {
    auto d = data_scope(s);
    if (d && d->context == "patient" && (d->type == "*" || d->type == type) &&
        d->perms.find('r') != std::string::npos)
      return patient;
  }
  return std::nullopt;
}

std::string fhir_base(const Request& req) {
  return "https://" + req.header("Host").value_or("localhost") + "/fhir";
}

Response SmartAuth::authorize(const Request& req, std::optional<std::int64_t> patient) {
  auto q = [&](const char* name) { return req.query_param(name).value_or(""); };
  const std::string client_id = q("client_id"), redirect_uri = q("redirect_uri"),
                    state = q("state");
  // Until the redirect URI is known to be the app's, errors are shown here, never sent.
  auto client = pg::transact(pool_, [&](pg::Tx& tx) { return tx.exec(kClient, client_id); });
  if (client.empty())
    throw Error(ErrorCode::kBadRequest, "unknown or revoked client_id");
  bool registered = false;
  std::vector<std::string> allowed;
  {
    auto uris = client[0][0].as_array();
    for (auto v = uris.get_next(); v.first != pqxx::array_parser::juncture::done;
         v = uris.get_next()) {
      if (v.first == pqxx::array_parser::juncture::string_value && v.second == redirect_uri)
        registered = true;
    }
    allowed = words(client[0][1].as<std::string>());
  }
  if (!registered)
    throw Error(ErrorCode::kBadRequest, "redirect_uri is not registered for this client");
  if (q("response_type") != "code")
    return redirect_error(redirect_uri, state, "unsupported_response_type",
                          "response_type must be code");
  if (q("code_challenge_method") != "S256" || q("code_challenge").size() != 43)
    return redirect_error(redirect_uri, state, "invalid_request",
                          "PKCE with code_challenge_method S256 is required");
  if (const auto aud = q("aud"); !aud.empty() && aud != fhir_base(req))
    return redirect_error(redirect_uri, state, "invalid_request",
                          "aud is not this FHIR server (" + fhir_base(req) + ")");
  // What is granted: the scopes asked for that the app is registered for. Patient-level
  // scopes (patient/...) come with launch/patient only: the user picks the patient.
  const auto asked = words(q("scope"));
  const bool launch_patient =
      std::find(asked.begin(), asked.end(), "launch/patient") != asked.end() &&
      std::find(allowed.begin(), allowed.end(), "launch/patient") != allowed.end();
  std::vector<std::string> granted;
  for (const auto& w : asked) {
    if (auto d = data_scope(w);
        d && d->context != "user" && !(d->context == "patient" && launch_patient))
      continue;
    if (std::any_of(allowed.begin(), allowed.end(),
                    [&](const std::string& a) { return covers(a, w); }))
      granted.push_back(w);
  }
  if (std::none_of(granted.begin(), granted.end(), [](const std::string& w) {
        auto d = data_scope(w);
        return d && (d->context == "user" || d->context == "patient");
      }))
    return redirect_error(redirect_uri, state, "invalid_scope",
                          "none of the scopes asked for is offered to this client (user/..., "
                          "or patient/... with launch/patient)");

  // The portal's own login: without a live session, log in and come back here.
  std::optional<portal::Caller> caller;
  try {
    caller = portal::require_caller(web_, req);
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kUnauthorized)
      throw;
    return redirect("/#/login?next=" + encode(req.target));
  }
  // The launch context: the user picks the patient in the portal (POST /fhir/auth/launch
  // comes back here with it).
  if (launch_patient && !patient) {
    const auto qs = req.target.find('?');
    return redirect("/#/fhir-launch?request=" +
                    encode(qs == std::string::npos ? "" : req.target.substr(qs + 1)));
  }
  if (!launch_patient)
    patient.reset();
  const std::string code = auth::random_token();
  const auto now = hpd::Clock::now();
  pg::transact(pool_, [&](pg::Tx& tx) {
    tx.exec(kInsertCode, sha256_hex(code), client_id, caller->user.id, join(granted), redirect_uri,
            q("code_challenge"), hpd::to_us(now + settings_.code_lifetime), patient);
    audit::AuditLog::append_in(
        tx,
        auth_event(caller->user, "fhir_authorize",
                   client_id + " " + join(granted) +
                       (patient ? " patient=" + std::to_string(*patient) : ""),
                   req),
        now);
  });
  std::string loc =
      redirect_uri + (redirect_uri.find('?') == std::string::npos ? "?" : "&") + "code=" + code;
  if (!state.empty())
    loc += "&state=" + encode(state);
  return redirect(loc);
}

Response SmartAuth::token(const Request& req) {
  const auto f = form(req);
  const std::string grant = param(f, "grant_type");
  std::string client_id = param(f, "client_id");
  const auto now = hpd::Clock::now();
  std::string scope;
  std::int64_t user_id = 0;
  std::optional<std::int64_t> patient;
  if (grant == "authorization_code") {
    auto row = pg::transact(
        pool_, [&](pg::Tx& tx) { return tx.exec(kTakeCode, sha256_hex(param(f, "code"))); });
    if (row.empty())
      return token_error(400, "invalid_grant", "unknown or already used code");
    const auto& r = row[0];
    if (r[0].as<std::string>() != client_id || r[3].as<std::string>() != param(f, "redirect_uri"))
      return token_error(400, "invalid_grant", "the code was issued to another client or URI");
    if (hpd::from_us(r[5].as<std::int64_t>()) <= now)
      return token_error(400, "invalid_grant", "the code has expired");
    const std::string verifier = param(f, "code_verifier");
    if (!valid_verifier(verifier) || s256(verifier) != r[4].as<std::string>())
      return token_error(400, "invalid_grant", "code_verifier does not match the challenge");
    user_id = r[1].as<std::int64_t>();
    scope = r[2].as<std::string>();
    if (!r[6].is_null())
      patient = r[6].as<std::int64_t>();
  } else if (grant == "refresh_token") {
    auto row = pg::transact(pool_, [&](pg::Tx& tx) {
      return tx.exec(kTakeRefresh, sha256_hex(param(f, "refresh_token")));
    });
    if (row.empty() || row[0][0].as<std::string>() != client_id ||
        hpd::from_us(row[0][3].as<std::int64_t>()) <= now)
      return token_error(400, "invalid_grant", "unknown, used or expired refresh token");
    user_id = row[0][1].as<std::int64_t>();
    scope = row[0][2].as<std::string>();
    if (!row[0][4].is_null())
      patient = row[0][4].as<std::int64_t>();
  } else if (grant == "client_credentials") {
    // SMART Backend Services: the system's signed JWT is its authentication (RFC 7523).
    if (param(f, "client_assertion_type") != kJwtBearer)
      return token_error(400, "invalid_request",
                         std::string("client_assertion_type must be ") + kJwtBearer);
    const std::string jwt = param(f, "client_assertion");
    const std::string iss = assertion_issuer(jwt);
    if (!client_id.empty() && client_id != iss)
      return token_error(401, "invalid_client", "client_id is not the assertion's issuer");
    auto row = pg::transact(pool_, [&](pg::Tx& tx) { return tx.exec(kBackend, iss); });
    if (iss.empty() || row.empty())
      return token_error(401, "invalid_client", "unknown or revoked backend client");
    ClientAssertion a;
    try {
      a = verify_client_assertion(jwt, json::parse(row[0][0].as<std::string>()));
    } catch (const Error& e) {
      return token_error(401, "invalid_client", e.external());
    }
    const std::int64_t now_s =
        std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    if (a.audience != fhir_base(req) + "/auth/token")
      return token_error(401, "invalid_client", "aud must be " + fhir_base(req) + "/auth/token");
    if (a.expires_at <= now_s || a.expires_at > now_s + 300)
      return token_error(401, "invalid_client",
                         "exp must be in the future, at most five minutes ahead");
    const bool first = pg::transact(pool_, [&](pg::Tx& tx) {
      tx.exec(kPurgeJti, hpd::to_us(now));
      return tx.exec(kUseJti, iss, a.jti, a.expires_at * 1'000'000).affected_rows() == 1;
    });
    if (!first)
      return token_error(401, "invalid_client", "this assertion's jti was used before");
    const auto allowed = words(row[0][2].as<std::string>());
    std::vector<std::string> granted;
    for (const auto& w : words(param(f, "scope"))) {
      if (auto d = data_scope(w); d && d->context == "system" &&
                                  std::any_of(allowed.begin(), allowed.end(),
                                              [&](const std::string& al) { return covers(al, w); }))
        granted.push_back(w);
    }
    if (granted.empty())
      return token_error(400, "invalid_scope",
                         "none of the scopes asked for is offered to this system (system/...)");
    client_id = iss;
    user_id = row[0][1].as<std::int64_t>();
    scope = join(granted);
  } else {
    return token_error(400, "unsupported_grant_type",
                       "grant_type must be authorization_code, refresh_token or "
                       "client_credentials");
  }
  auto client = pg::transact(pool_, [&](pg::Tx& tx) { return tx.exec(kClient, client_id); });
  auto user = web_.directory.find_user(user_id);
  if (client.empty() || !user || user->status != hpd::UserStatus::kActive)
    return token_error(400, "invalid_grant", "the client or the user is no longer active");

  const std::string access = auth::random_token();
  const auto scopes = words(scope);
  const bool offline = grant != "client_credentials" &&
                       std::find(scopes.begin(), scopes.end(), "offline_access") != scopes.end();
  const std::string refresh = offline ? auth::random_token() : "";
  pg::transact(pool_, [&](pg::Tx& tx) {
    tx.exec(kPurge, hpd::to_us(now));
    tx.exec(kInsertToken, sha256_hex(access), "access", client_id, user_id, scope,
            hpd::to_us(now + settings_.access_lifetime), patient);
    if (offline)
      tx.exec(kInsertToken, sha256_hex(refresh), "refresh", client_id, user_id, scope,
              hpd::to_us(now + settings_.refresh_lifetime), patient);
    audit::AuditLog::append_in(tx, auth_event(*user, "fhir_token", client_id + " " + grant, req),
                               now);
  });
  json out{{"access_token", access},
           {"token_type", "Bearer"},
           {"expires_in", settings_.access_lifetime.count()},
           {"scope", scope}};
  if (offline)
    out["refresh_token"] = refresh;
  if (patient)
    out["patient"] = std::to_string(*patient);
  Response r = Response::json(200, out.dump());
  r.headers["Cache-Control"] = "no-store";
  r.headers["Pragma"] = "no-cache";
  return r;
}

TokenCaller SmartAuth::require_token(const Request& req) {
  const std::string h = req.header("Authorization").value_or("");
  if (h.rfind("Bearer ", 0) != 0)
    throw Error(ErrorCode::kUnauthorized, "a bearer token is required (SMART on FHIR)");
  const auto now = hpd::Clock::now();
  auto row = pg::transact(pool_, [&](pg::Tx& tx) {
    return tx.exec(kFindToken, sha256_hex(h.substr(7)), hpd::to_us(now));
  });
  if (row.empty())
    throw Error(ErrorCode::kUnauthorized, "the token is unknown, expired or revoked");
  auto user = web_.directory.find_user(row[0][1].as<std::int64_t>());
  if (!user || user->status != hpd::UserStatus::kActive)
    throw Error(ErrorCode::kUnauthorized, "the token's user is not active");
  auto facility = web_.directory.find_facility(user->facility_oid);
  if (!facility || facility->status != hpd::FacilityStatus::kActive)
    throw Error(ErrorCode::kUnauthorized, "the token's facility is not active in the network");
  TokenCaller t{.caller = {*user, *facility, {}, false}, .client_id = row[0][0].as<std::string>()};
  for (auto& w : words(row[0][2].as<std::string>()))
    t.scopes.insert(std::move(w));
  if (!row[0][3].is_null())
    t.patient = row[0][3].as<std::int64_t>();
  return t;
}

void SmartAuth::add_routes(http::Router& web) {
  web.add_blocking(
      "GET", "/fhir/.well-known/smart-configuration",
      [](Request& req) {
        const std::string base = fhir_base(req);
        json c{{"issuer", base},
               {"authorization_endpoint", base + "/auth/authorize"},
               {"token_endpoint", base + "/auth/token"},
               {"token_endpoint_auth_methods_supported", {"none", "private_key_jwt"}},
               {"token_endpoint_auth_signing_alg_values_supported", {"RS384", "ES384"}},
               {"grant_types_supported",
                {"authorization_code", "refresh_token", "client_credentials"}},
               {"scopes_supported",
                {"user/*.rs", "user/Patient.rs", "user/Patient.read", "patient/*.rs",
                 "launch/patient", "system/*.rs", "offline_access"}},
               {"response_types_supported", {"code"}},
               {"code_challenge_methods_supported", {"S256"}},
               {"capabilities",
                {"launch-standalone", "context-standalone-patient", "client-public",
                 "client-confidential-asymmetric", "permission-offline", "permission-patient",
                 "permission-user", "permission-v1", "permission-v2"}}};
        return Response::json(200, c.dump());
      },
      {.body_limit = 0, .summary = "SMART App Launch configuration"});
  web.add_blocking(
      "GET", "/fhir/auth/authorize", [this](Request& req) { return authorize(req); },
      {.body_limit = 0, .summary = "SMART standalone launch: the portal's login, then a code"});
  web.add_blocking(
      "POST", "/fhir/auth/token", [this](Request& req) { return token(req); },
      {.body_limit = 32 * 1024,
       .summary = "SMART token endpoint (PKCE; refresh tokens rotate; backend services)"});
}

}  // namespace hareyaka::fhir
