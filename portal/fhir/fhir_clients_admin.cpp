// /api/v1/admin/fhir-clients: the SMART apps the FHIR API answers (smart_auth.hpp), registered
// by the secretariat: a client id, a name, the exact redirect URIs and the most it may be
// granted. Revoking ends every token the app holds at once.
#include "common/error.hpp"
#include "portal/admin/admin_routes.hpp"
#include "portal/audit/audit_log.hpp"
#include "portal/fhir/smart_auth.hpp"

namespace hareyaka::fhir {
namespace {

using admin::json;
using http::Request;
using http::Response;
using portal::Caller;

constexpr pg::Statement kInsert{
    "fhir_client_insert",
    "INSERT INTO fhir_clients (client_id, name, redirect_uris, scopes, created_by) "
    "VALUES ($1, $2, $3::text[], $4, $5) ON CONFLICT (client_id) DO NOTHING"};
constexpr pg::Statement kList{
    "fhir_client_list",
    "SELECT client_id, name, array_to_json(redirect_uris)::text, scopes, status, "
    "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
    "FROM fhir_clients ORDER BY client_id"};
constexpr pg::Statement kRevoke{
    "fhir_client_revoke",
    "UPDATE fhir_clients SET status = 'revoked' WHERE client_id = $1 AND status = 'active'"};
constexpr pg::Statement kDropTokens{"fhir_client_drop_tokens",
                                    "DELETE FROM fhir_tokens WHERE client_id = $1"};
constexpr pg::Statement kDropCodes{"fhir_client_drop_codes",
                                   "DELETE FROM fhir_auth_codes WHERE client_id = $1"};

// A text[] literal of strings already checked to hold no quote, backslash, brace or comma.
std::string array_literal(const std::vector<std::string>& v) {
  std::string out = "{";
  for (const auto& s : v)
    out += (out.size() > 1 ? ",\"" : "\"") + s + "\"";
  return out + "}";
}

bool https_or_loopback(const std::string& uri) {
  return uri.rfind("https://", 0) == 0 || uri.rfind("http://127.0.0.1", 0) == 0 ||
         uri.rfind("http://localhost", 0) == 0;
}

json list(admin::AdminServices& sv) {
  json items = json::array();
  pg::transact(sv.pool, [&](pg::Tx& tx) {
    for (const auto& r : tx.exec(kList)) {
      items.push_back({{"client_id", r[0].as<std::string>()},
                       {"name", r[1].as<std::string>()},
                       {"redirect_uris", json::parse(r[2].as<std::string>())},
                       {"scopes", r[3].as<std::string>()},
                       {"status", r[4].as<std::string>()},
                       {"created_at", r[5].as<std::string>()}});
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
  auto it = body.find("redirect_uris");
  if (it == body.end() || !it->is_array() || it->empty() || it->size() > 10)
    throw Error(ErrorCode::kBadRequest, "redirect_uris: 1 to 10 URIs");
  std::vector<std::string> uris;
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
  const bool added = pg::transact(sv.pool, [&](pg::Tx& tx) {
    if (tx.exec(kInsert, id, name, array_literal(uris), scopes, c.user.login_id).affected_rows() ==
        0)
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
  admin::admin_route(web, sv, "POST", "/api/v1/admin/fhir-clients", create, "register a SMART app");
  admin::admin_route(web, sv, "POST", "/api/v1/admin/fhir-clients/{client_id}/revoke", revoke,
                     "revoke an app and every token it holds", 1024);
}

}  // namespace hareyaka::fhir
