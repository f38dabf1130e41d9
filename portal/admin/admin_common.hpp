// Shared pieces of the admin API handlers: the services they use, JSON body and query
// parsing that names the field at fault, paging parameters, time formats, and the audit
// record every admin call appends.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/http_types.hpp"
#include "common/pg.hpp"
#include "hpd/hpd_service.hpp"
#include "hpd/page.hpp"
#include "hpd/time.hpp"
#include "pix/identity_store.hpp"
#include "portal/audit/audit_record.hpp"
#include "portal/auth/password.hpp"
#include "portal/web_session.hpp"

namespace hareyaka::admin {

using nlohmann::json;

struct AdminServices {
  portal::WebServices& web;
  pg::Pool& pool;
  pix::IdentityStore& identities;
  std::string network_root;
  auth::PasswordHashing hashing = auth::PasswordHashing::interactive();
  hpd::HpdService* hpd = nullptr;  // the HPD directory (POST /api/v1/admin/hpd); null: none
};

// The request body as a JSON object; kBadRequest when it is not one.
json parse_object(const http::Request& req);
// A string member; required ones throw kBadRequest naming the field. Null reads as absent.
std::optional<std::string> opt_string(const json& j, const char* name);
std::string req_string(const json& j, const char* name);
std::optional<bool> opt_bool(const json& j, const char* name);

// page_size (1..max, default 50) and cursor from the query string.
hpd::PageRequest page_request(const http::Request& req, int max = 200);
// A non-empty query parameter; kBadRequest naming it when it is not UTF-8.
std::optional<std::string> query(const http::Request& req, const char* name);

// UTC ISO 8601 with seconds ("2026-11-24T03:00:00Z").
std::string iso_time(hpd::TimePoint t);
// "YYYY-MM-DD" (a day in Japan time, the network's day) or an ISO 8601 timestamp with Z or
// an offset. `end_of_day`: a bare date means the end of that day (the next day's 00:00 JST).
// kBadRequest naming `field` when malformed.
hpd::TimePoint parse_time(const std::string& text, const char* field, bool end_of_day = false);

// {"items": [...], "next_cursor"?}
json page_json(json items, const std::string& next);

// The record of one admin action, in its own transaction or in the caller's.
audit::AuditEvent admin_event(const portal::Caller& c, const http::Request& req,
                              audit::EventType type, std::string reason, std::string detail);
void audit_admin(AdminServices& sv, const portal::Caller& c, const http::Request& req,
                 std::string reason, std::string detail);

// LIKE pattern for a prefix search, with % _ \ escaped.
std::string like_prefix(const std::string& q);

}  // namespace hareyaka::admin
