// /api/v1/admin/disaster-declarations: the secretariat declares a disaster for a facility
// (its records are then served from a standby gateway), lists the declarations with whether
// each is in force, and ends one early. Each call is on record in the audit chain; a
// declaration and its end are written in one transaction with their record.
#include "portal/disaster/disaster_admin.hpp"

#include <boost/url/parse.hpp>
#include <cctype>

#include "common/error.hpp"
#include "portal/admin/admin_routes.hpp"
#include "portal/audit/audit_log.hpp"

namespace hareyaka::disaster {
namespace {

using admin::AdminServices;
using admin::json;
using http::Request;
using http::Response;
using portal::Caller;

constexpr auto kMaxAhead = std::chrono::hours(24 * 30);  // at most 30 days ahead
constexpr std::size_t kMaxReason = 2000;

#define HY_DECLARATION_COLUMNS                                                                   \
  "d.id, d.facility_oid, coalesce(f.name_kanji, ''), u.login_id, d.reason, hy_us(d.starts_at), " \
  "hy_us(d.until), d.standby_url, d.standby_cert_sha256, hy_us(d.preserved_as_of), "             \
  "hy_us(d.ended_at), coalesce(e.login_id, '')"
#define HY_DECLARATION_FROM                                             \
  " FROM disaster_declarations d JOIN users u ON u.id = d.declared_by " \
  "LEFT JOIN users e ON e.id = d.ended_by LEFT JOIN facilities f ON f.oid = d.facility_oid"

constexpr pg::Statement kList{"disaster_list", "SELECT " HY_DECLARATION_COLUMNS HY_DECLARATION_FROM
                                               " ORDER BY d.id DESC LIMIT 500"};
constexpr pg::Statement kOne{
    "disaster_one", "SELECT " HY_DECLARATION_COLUMNS HY_DECLARATION_FROM " WHERE d.id = $1"};
constexpr pg::Statement kLockFacility{"disaster_lock_facility",
                                      "SELECT oid FROM facilities WHERE oid = $1 FOR UPDATE"};
constexpr pg::Statement kOpen{"disaster_open",
                              "SELECT id FROM disaster_declarations WHERE facility_oid = $1 "
                              "AND ended_at IS NULL AND until > hy_ts($2)"};
constexpr pg::Statement kInsert{
    "disaster_insert",
    "INSERT INTO disaster_declarations (facility_oid, declared_by, reason, starts_at, until, "
    "standby_url, standby_cert_sha256, preserved_as_of) "
    "VALUES ($1, $2, $3, hy_ts($4), hy_ts($5), $6, $7, hy_ts($8)) RETURNING id"};
constexpr pg::Statement kLockOne{
    "disaster_lock_one",
    "SELECT facility_oid, hy_us(until), hy_us(ended_at) FROM disaster_declarations "
    "WHERE id = $1 FOR UPDATE"};
constexpr pg::Statement kEnd{
    "disaster_end",
    "UPDATE disaster_declarations SET ended_at = hy_ts($2), ended_by = $3 WHERE id = $1"};

json row_json(const pqxx::row& r, hpd::TimePoint now) {
  const auto until = hpd::from_us(r[6].as<std::int64_t>());
  const auto starts = hpd::from_us(r[5].as<std::int64_t>());
  json out{{"id", r[0].as<std::int64_t>()},
           {"facility_oid", r[1].as<std::string>()},
           {"facility_name", r[2].as<std::string>()},
           {"declared_by", r[3].as<std::string>()},
           {"reason", r[4].as<std::string>()},
           {"starts_at", admin::iso_time(starts)},
           {"until", admin::iso_time(until)},
           {"standby_url", r[7].as<std::string>()},
           {"standby_cert_sha256", r[8].as<std::string>()},
           {"preserved_as_of", admin::iso_time(hpd::from_us(r[9].as<std::int64_t>()))},
           {"ended_at", nullptr},
           {"ended_by", nullptr}};
  if (!r[10].is_null()) {
    out["ended_at"] = admin::iso_time(hpd::from_us(r[10].as<std::int64_t>()));
    out["ended_by"] = r[11].as<std::string>();
  }
  out["in_force"] = r[10].is_null() && starts <= now && now < until;
  return out;
}

[[noreturn]] void unprocessable(const std::string& message) {
  throw Error(ErrorCode::kUnprocessable, message);
}

// https://host[:port] with nothing else (the gateway's paths are the portal's to add).
std::string standby_url(const json& body) {
  std::string url = admin::req_string(body, "standby_url");
  while (!url.empty() && url.back() == '/')
    url.pop_back();
  auto u = boost::urls::parse_uri(url);
  if (!u || u->scheme() != "https" || u->host().empty() || u->has_userinfo() ||
      !u->encoded_path().empty() || u->has_query() || u->has_fragment() || url.size() > 300)
    unprocessable("standby_url: an https://host[:port] address is expected");
  return url;
}

// 64 hex digits (colons and spaces allowed, as facilities' gateway_cert_sha256), lower case.
std::string standby_pin(const json& body) {
  std::string hex;
  for (char c : admin::req_string(body, "standby_cert_sha256")) {
    if (c != ':' && c != ' ')
      hex += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (hex.size() != 64 || hex.find_first_not_of("0123456789abcdef") != std::string::npos)
    unprocessable("standby_cert_sha256: the SHA-256 of the standby's certificate (64 hex digits)");
  return hex;
}

json one(pg::Tx& tx, std::int64_t id, hpd::TimePoint now) {
  auto rows = tx.exec(kOne, id);
  if (rows.empty())
    throw Error(ErrorCode::kNotFound, "no such declaration");
  return row_json(rows[0], now);
}

Response list(AdminServices& sv, const Caller& c, const Request& req) {
  const auto now = hpd::Clock::now();
  json items = json::array();
  pg::transact(sv.pool, [&](pg::Tx& tx) {
    for (const auto& r : tx.exec(kList))
      items.push_back(row_json(r, now));
  });
  admin::audit_admin(sv, c, req, "disaster_declarations_read", "");
  return admin::json_response(200, {{"items", std::move(items)}});
}

Response declare(AdminServices& sv, const Caller& c, const Request& req) {
  const json body = admin::parse_object(req);
  const auto now = hpd::Clock::now();
  const std::string facility = admin::req_string(body, "facility_oid");
  const std::string reason = admin::req_string(body, "reason");
  if (reason.find_first_not_of(" \t\r\n") == std::string::npos)
    unprocessable("reason: why the declaration is made is required");
  if (reason.size() > kMaxReason)
    unprocessable("reason: at most 2000 bytes");
  const auto until = admin::parse_time(admin::req_string(body, "until"), "until", true);
  if (until <= now)
    unprocessable("until: must be in the future");
  if (until > now + kMaxAhead)
    unprocessable("until: at most 30 days ahead (declare again to extend)");
  const std::string url = standby_url(body);
  const std::string pin = standby_pin(body);
  const auto as_of =
      admin::parse_time(admin::req_string(body, "preserved_as_of"), "preserved_as_of");
  if (as_of > now)
    unprocessable("preserved_as_of: the preserved copy's time cannot be in the future");
  json out;
  pg::transact(sv.pool, [&](pg::Tx& tx) {
    // The facility's row lock serialises two declarations for one facility.
    if (tx.exec(kLockFacility, facility).empty())
      unprocessable("facility_oid: no such facility");
    if (auto open = tx.exec(kOpen, facility, hpd::to_us(now)); !open.empty()) {
      throw Error(ErrorCode::kConflict, "a declaration is already in force for this facility (id " +
                                            open[0][0].as<std::string>() + "); end it first");
    }
    const auto id = tx.exec(kInsert, facility, c.user.id, reason, hpd::to_us(now),
                            hpd::to_us(until), url, pin, hpd::to_us(as_of))[0][0]
                        .as<std::int64_t>();
    auto e = admin::admin_event(c, req, audit::EventType::kAdminAction, "disaster_declare",
                                "declaration=" + std::to_string(id) +
                                    " until=" + admin::iso_time(until) + " standby=" + url +
                                    " as_of=" + admin::iso_time(as_of));
    e.source_facility = facility;
    audit::AuditLog::append_in(tx, e, now);
    out = one(tx, id, now);
  });
  return admin::json_response(201, out);
}

Response end(AdminServices& sv, const Caller& c, const Request& req) {
  std::int64_t id = 0;
  try {
    std::size_t n = 0;
    id = std::stoll(req.param("id"), &n);
    if (n != req.param("id").size() || id <= 0)
      id = 0;
  } catch (const std::exception&) {
    id = 0;
  }
  if (id == 0)
    throw Error(ErrorCode::kNotFound, "no such declaration");
  const auto now = hpd::Clock::now();
  json out;
  pg::transact(sv.pool, [&](pg::Tx& tx) {
    auto rows = tx.exec(kLockOne, id);
    if (rows.empty())
      throw Error(ErrorCode::kNotFound, "no such declaration");
    if (!rows[0][2].is_null())
      throw Error(ErrorCode::kConflict, "the declaration has already been ended");
    if (hpd::from_us(rows[0][1].as<std::int64_t>()) <= now)
      throw Error(ErrorCode::kConflict, "the declaration has already expired");
    tx.exec(kEnd, id, hpd::to_us(now), c.user.id);
    auto e = admin::admin_event(c, req, audit::EventType::kAdminAction, "disaster_end",
                                "declaration=" + std::to_string(id));
    e.source_facility = rows[0][0].as<std::string>();
    audit::AuditLog::append_in(tx, e, now);
    out = one(tx, id, now);
  });
  return admin::json_response(200, out);
}

}  // namespace

void add_disaster_routes(http::Router& web, AdminServices& sv) {
  admin::admin_route(web, sv, "GET", "/api/v1/admin/disaster-declarations", list,
                     "disaster declarations, newest first, each with whether it is in force", 0);
  admin::admin_route(web, sv, "POST", "/api/v1/admin/disaster-declarations", declare,
                     "declare a disaster: serve a facility's records from its standby gateway");
  admin::admin_route(web, sv, "POST", "/api/v1/admin/disaster-declarations/{id}/end", end,
                     "end a disaster declaration early", 1024);
}

}  // namespace hareyaka::disaster
