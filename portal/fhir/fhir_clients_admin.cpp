// /api/v1/admin/fhir-clients: the SMART apps the FHIR API answers (smart_auth.hpp), registered
// by the secretariat: a client id, a name, the exact redirect URIs and the most it may be
// granted; or a backend system (SMART Backend Services): its public keys (a JWK Set) and the
// directory user it acts as instead of redirect URIs. Revoking ends every token at once.
#include "common/error.hpp"
#include "portal/admin/admin_routes.hpp"
#include "portal/audit/audit_log.hpp"
#include "portal/fhir/client_assertion.hpp"
#include "portal/fhir/smart_auth.hpp"

namespace hareyaka::fhir {
namespace {

using admin::json;
using http::Request;
using http::Response;
using portal::Caller;

constexpr pg::Statement kInsert{
    "fhir_client_insert",
    "INSERT INTO fhir_clients (client_id, name, redirect_uris, scopes, created_by, kind, jwks, "
    "acts_as) VALUES ($1, $2, $3::text[], $4, $5, $6, $7::jsonb, $8) "
    "ON CONFLICT (client_id) DO NOTHING"};
constexpr pg::Statement kList{
    "fhir_client_list",
    "SELECT c.client_id, c.name, array_to_json(c.redirect_uris)::text, c.scopes, c.status, "
    "to_char(c.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), c.kind, "
    "u.login_id, (SELECT string_agg(k->>'kid', ' ') FROM jsonb_array_elements(c.jwks->'keys') k) "
    "FROM fhir_clients c LEFT JOIN users u ON u.id = c.acts_as ORDER BY c.client_id"};
constexpr pg::Statement kRevoke{
    "fhir_client_revoke",
    "UPDATE fhir_clients SET status = 'revoked' WHERE client_id = $1 AND status = 'active'"};
constexpr pg::Statement kDropTokens{"fhir_client_drop_tokens",
                                    "DELETE FROM fhir_tokens WHERE client_id = $1"};
constexpr pg::Statement kDropJti{"fhir_client_drop_jti",
                                 "DELETE FROM fhir_assertion_jti WHERE client_id = $1"};
constexpr pg::Statement kDropCodes{"fhir_client_drop_codes",
                                   "DELETE FROM fhir_auth_codes WHERE client_id = $1"};

// A text[] literal of strings already checked to hold no quote, backslash, brace or comma.
std::string array_literal(const std::vector<std::string>& v) {
  std::string out = "{";
  for (const auto& s : v)
    out += (out.size() > 1 ? ",\"" : "\"") + s + "\"";
  return out + "}";
}

std::vector<std::string> words_of(const std::string& s) {
  std::vector<std::string> out;
  std::size_t from = 0;
  while (from < s.size()) {
    const auto space = std::min(s.find(' ', from), s.size());
    if (space > from)
      out.push_back(s.substr(from, space - from));
    from = space + 1;
  }
  return out;
}

bool https_or_loopback(const std::string& uri) {
  return uri.rfind("https://", 0) == 0 || uri.rfind("http://127.0.0.1", 0) == 0 ||
         uri.rfind("http://localhost", 0) == 0;
}

json list(admin::AdminServices& sv) {
  json items = json::array();
  pg::transact(sv.pool, [&](pg::Tx& tx) {
    for (const auto& r : tx.exec(kList)) {
      json item{{"client_id", r[0].as<std::string>()},
                {"name", r[1].as<std::string>()},
                {"kind", r[6].as<std::string>()},
                {"redirect_uris", json::parse(r[2].as<std::string>())},
                {"scopes", r[3].as<std::string>()},
                {"status", r[4].as<std::string>()},
                {"created_at", r[5].as<std::string>()}};
      if (!r[7].is_null())
        item["acts_as"] = r[7].as<std::string>();
      if (!r[8].is_null())
        item["key_ids"] = r[8].as<std::string>();
      items.push_back(std::move(item));
    }
  });
  return {{"items", std::move(items)}};
}

Response read(admin::AdminServices& sv, const Caller& c, const Request& req) {
  admin::audit_admin(sv, c, req, "fhir_clients_read", "");
  return admin::json_response(200, list(sv));
}

Response create(admin::AdminServices& sv, const Caller& c, const Request& req) {
  const json body = admin::parse_object(req);
  const std::string id = admin::req_string(body, "client_id");
  const std::string name = admin::req_string(body, "name");
  const std::string scopes = admin::req_string(body, "scopes");
  if (id.size() < 3 || id.size() > 64 ||
      id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") !=
          std::string::npos)
    throw Error(ErrorCode::kUnprocessable, "client_id: 3 to 64 of [A-Za-z0-9._-]");
  if (name.empty() || name.size() > 200)
    throw Error(ErrorCode::kUnprocessable, "name: 1 to 200 characters");
  if (scopes.empty() || scopes.size() > 1000 ||
      scopes.find_first_of("\"\\{},") != std::string::npos)
    throw Error(ErrorCode::kUnprocessable, "scopes: space-separated SMART scopes");
  // A backend system: keys and the user it acts as, no redirect URIs.
  std::vector<std::string> uris;
  std::optional<std::string> jwks;
  std::optional<std::int64_t> acts_as;
  if (body.contains("jwks")) {
    check_jwks(body["jwks"]);
    jwks = body["jwks"].dump();
    const std::string login = admin::req_string(body, "acts_as");
    auto user = sv.web.directory.find_user_by_login(login);
    if (!user || user->status != hpd::UserStatus::kActive)
      throw Error(ErrorCode::kUnprocessable, "acts_as: no active user " + login.substr(0, 64));
    acts_as = user->id;
    if (body.contains("redirect_uris"))
      throw Error(ErrorCode::kUnprocessable, "a backend system (jwks) has no redirect_uris");
    for (const auto& w : words_of(scopes)) {
      if (w.rfind("system/", 0) != 0)
        throw Error(ErrorCode::kUnprocessable,
                    "scopes: a backend system is granted system/<Type>.rs scopes only");
    }
  } else {
    auto it = body.find("redirect_uris");
    if (it == body.end() || !it->is_array() || it->empty() || it->size() > 10)
      throw Error(ErrorCode::kBadRequest, "redirect_uris: 1 to 10 URIs");
    for (const auto& u : *it) {
      if (!u.is_string())
        throw Error(ErrorCode::kBadRequest, "redirect_uris: strings");
      const std::string s = u.get<std::string>();
      if (s.size() > 500 || !https_or_loopback(s) ||
          s.find_first_of("\"\\{},# ") != std::string::npos)
        throw Error(ErrorCode::kUnprocessable,
                    "redirect_uris: absolute https URIs (http only on loopback), no fragment");
      uris.push_back(s);
    }
  }
  const bool added = pg::transact(sv.pool, [&](pg::Tx& tx) {
    if (tx.exec(kInsert, id, name, array_literal(uris), scopes, c.user.login_id,
                jwks ? "backend" : "app", jwks, acts_as)
            .affected_rows() == 0)
      return false;
    audit::AuditLog::append_in(tx,
                               admin::admin_event(c, req, audit::EventType::kAdminAction,
                                                  "fhir_client_register", id + " " + scopes),
                               hpd::Clock::now());
    return true;
  });
  if (!added)
    throw Error(ErrorCode::kConflict, "client_id " + id + " is already registered");
  return admin::json_response(201, list(sv));
}

Response revoke(admin::AdminServices& sv, const Caller& c, const Request& req) {
  const std::string& id = req.param("client_id");
  const bool revoked = pg::transact(sv.pool, [&](pg::Tx& tx) {
    if (tx.exec(kRevoke, id).affected_rows() == 0)
      return false;
    tx.exec(kDropTokens, id);
    tx.exec(kDropCodes, id);
    tx.exec(kDropJti, id);
    audit::AuditLog::append_in(
        tx, admin::admin_event(c, req, audit::EventType::kAdminAction, "fhir_client_revoke", id),
        hpd::Clock::now());
    return true;
  });
  if (!revoked)
    throw Error(ErrorCode::kNotFound, "no active client " + id);
  return admin::json_response(200, list(sv));
}

}  // namespace

void add_fhir_client_routes(http::Router& web, admin::AdminServices& sv) {
  admin::admin_route(web, sv, "GET", "/api/v1/admin/fhir-clients", read,
                     "the SMART apps registered for the FHIR API", 0);
  admin::admin_route(web, sv, "POST", "/api/v1/admin/fhir-clients", create,
                     "register a SMART app or a backend system");
  admin::admin_route(web, sv, "POST", "/api/v1/admin/fhir-clients/{client_id}/revoke", revoke,
                     "revoke an app and every token it holds", 1024);
}

}  // namespace hareyaka::fhir
