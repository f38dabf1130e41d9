#include "portal/hpd_feed/feed_admin.hpp"

#include <charconv>

#include "common/error.hpp"
#include "portal/admin/admin_routes.hpp"
#include "portal/hpd_feed/directory_import.hpp"
#include "portal/hpd_feed/feed_store.hpp"

namespace hareyaka::hpd_feed {
namespace {

using admin::AdminServices;
using admin::json;
using admin::json_response;
using http::Request;
using http::Response;
using portal::Caller;

json time_or_null(const std::optional<hpd::TimePoint>& t) {
  return t ? json(admin::iso_time(*t)) : json(nullptr);
}

json state_json(const DeliveryState& d) {
  return {{"id", d.system.id},
          {"name", d.system.name},
          {"url", d.system.url},
          {"enabled", d.system.enabled},
          {"pending", d.pending},
          {"oldest_pending", time_or_null(d.oldest_pending)},
          {"last_success", time_or_null(d.last_success)},
          {"last_error", d.last_error.empty() ? json(nullptr) : json(d.last_error)},
          {"last_error_at", time_or_null(d.last_error_at)},
          {"failures", d.failures},
          {"next_attempt", d.pending > 0 ? time_or_null(d.next_attempt) : json(nullptr)},
          {"rejected", d.rejected},
          {"newest_rejected", time_or_null(d.newest_rejected)}};
}

json rejected_json(const RejectedChange& c) {
  return {{"id", c.id},           {"entity", c.entity},
          {"key", c.key},         {"op", c.op},
          {"version", c.version}, {"result_code", c.result_code},
          {"message", c.message}, {"rejected_at", admin::iso_time(c.rejected_at)}};
}

std::int64_t number_param(const Request& req, const char* name, const char* what) {
  const std::string& s = req.param(name);
  std::int64_t id = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
  if (ec != std::errc() || p != s.data() + s.size() || id <= 0)
    throw Error(ErrorCode::kNotFound, what);
  return id;
}

std::int64_t id_param(const Request& req) {
  return number_param(req, "id", "no such connected system");
}

std::int64_t rejected_param(const Request& req) {
  return number_param(req, "rejected_id", "no such rejected change");
}

std::string change_text(const RejectedChange& c) {
  return c.op + " " + c.entity + " " + c.key + " (resultCode " + std::to_string(c.result_code) +
         ")";
}

DeliveryState existing(AdminServices& sv, std::int64_t id) {
  auto st = FeedStore(sv.pool).state(id);
  if (!st)
    throw Error(ErrorCode::kNotFound, "no such connected system");
  return *st;
}

Response list(AdminServices& sv, const Caller& c, const Request& req) {
  json items = json::array();
  for (const auto& s : FeedStore(sv.pool).states())
    items.push_back(state_json(s));
  admin::audit_admin(sv, c, req, "connected_system_list", "");
  return json_response(200, {{"items", items}});
}

Response create(AdminServices& sv, const Caller& c, const Request& req) {
  const json body = admin::parse_object(req);
  ConnectedSystem s{.name = admin::req_string(body, "name"),
                    .url = admin::req_string(body, "url"),
                    .enabled = admin::opt_bool(body, "enabled").value_or(true)};
  s = FeedStore(sv.pool).create(s);
  admin::audit_admin(sv, c, req, "connected_system_create", s.name + " " + s.url);
  return json_response(201, state_json(existing(sv, s.id)));
}

Response edit(AdminServices& sv, const Caller& c, const Request& req) {
  const json body = admin::parse_object(req);
  ConnectedSystem s = existing(sv, id_param(req)).system;
  if (auto v = admin::opt_string(body, "name"))
    s.name = *v;
  if (auto v = admin::opt_string(body, "url"))
    s.url = *v;
  if (auto v = admin::opt_bool(body, "enabled"))
    s.enabled = *v;
  FeedStore(sv.pool).update(s);
  admin::audit_admin(sv, c, req, "connected_system_update",
                     s.name + (s.enabled ? " enabled " : " disabled ") + s.url);
  return json_response(200, state_json(existing(sv, s.id)));
}

Response remove(AdminServices& sv, const Caller& c, const Request& req) {
  const auto s = existing(sv, id_param(req));
  FeedStore(sv.pool).remove(s.system.id);
  admin::audit_admin(sv, c, req, "connected_system_delete",
                     s.system.name + " (" + std::to_string(s.pending) + " pending dropped)");
  return Response::json(200, json{{"deleted", s.system.id}}.dump());
}

Response retry(AdminServices& sv, const Caller& c, const Request& req) {
  const auto s = existing(sv, id_param(req));
  FeedStore(sv.pool).retry_now(s.system.id);
  admin::audit_admin(sv, c, req, "connected_system_retry", s.system.name);
  return json_response(200, state_json(existing(sv, s.system.id)));
}

Response resync(AdminServices& sv, const Caller& c, const Request& req) {
  const auto s = existing(sv, id_param(req));
  const auto queued = FeedStore(sv.pool).resync(s.system.id);
  if (!queued)
    throw Error(ErrorCode::kNotFound, "no such connected system");
  admin::audit_admin(sv, c, req, "connected_system_resync",
                     s.system.name + ": " + std::to_string(*queued) + " entries queued");
  json out = state_json(existing(sv, s.system.id));
  out["queued"] = *queued;
  return json_response(200, out);
}

Response rejected_list(AdminServices& sv, const Caller& c, const Request& req) {
  const auto id = id_param(req);
  const auto page = FeedStore(sv.pool).rejected(id, admin::page_request(req));
  if (!page)
    throw Error(ErrorCode::kNotFound, "no such connected system");
  json items = json::array();
  for (const auto& r : page->items)
    items.push_back(rejected_json(r));
  admin::audit_admin(sv, c, req, "connected_system_rejected_list", std::to_string(id));
  return json_response(200, admin::page_json(std::move(items), page->next));
}

using RejectedAct = std::optional<RejectedChange> (FeedStore::*)(std::int64_t system,
                                                                 std::int64_t rejected_id);

struct ActedOn {
  DeliveryState system;
  RejectedChange change;
};

// One rejected change of the system in the path acted on by `act` (FeedStore::requeue or
// FeedStore::dismiss), 404 when the system has none of that id, and audited as `action`.
ActedOn act_on_rejected(AdminServices& sv, const Caller& c, const Request& req, RejectedAct act,
                        const char* action) {
  auto s = existing(sv, id_param(req));
  FeedStore store(sv.pool);
  auto change = (store.*act)(s.system.id, rejected_param(req));
  if (!change)
    throw Error(ErrorCode::kNotFound, "no such rejected change");
  admin::audit_admin(sv, c, req, action, s.system.name + ": " + change_text(*change));
  return {std::move(s), std::move(*change)};
}

Response requeue(AdminServices& sv, const Caller& c, const Request& req) {
  const auto done = act_on_rejected(sv, c, req, &FeedStore::requeue, "connected_system_requeue");
  return json_response(200, state_json(existing(sv, done.system.system.id)));
}

Response dismiss(AdminServices& sv, const Caller& c, const Request& req) {
  const auto done = act_on_rejected(sv, c, req, &FeedStore::dismiss, "connected_system_dismiss");
  return json_response(200, {{"dismissed", done.change.id}});
}

json report_json(const ImportReport& r, const std::string& mode) {
  json rows = json::array();
  for (const auto& row : r.rows) {
    json j{{"row", row.row}, {"key", row.key}, {"action", row.action}};
    if (!row.changed.empty())
      j["changed"] = row.changed;
    rows.push_back(std::move(j));
  }
  json errors = json::array();
  for (const auto& e : r.errors)
    errors.push_back({{"row", e.row}, {"column", e.column}, {"reason", e.reason}});
  return {{"mode", mode},
          {"encoding", r.encoding},
          {"applied", r.applied},
          {"summary",
           {{"create", r.create},
            {"update", r.update},
            {"unchanged", r.unchanged},
            {"errors", r.errors.size()}}},
          {"rows", rows},
          {"errors", errors}};
}

Response import(AdminServices& sv, const Caller& c, const Request& req, ImportKind kind) {
  const std::string mode = req.query_param("mode").value_or("dry_run");
  if (mode != "dry_run" && mode != "apply")
    throw Error(ErrorCode::kBadRequest, "mode: dry_run or apply");
  const ImportSettings settings{.network_root = sv.network_root, .hashing = sv.hashing};
  const auto report = import_csv(sv.pool, kind, req.body, mode == "apply", settings);
  const char* what = kind == ImportKind::kFacilities ? "facilities" : "users";
  admin::audit_admin(sv, c, req, std::string("import_") + what + "_" + mode,
                     std::to_string(report.create) + " create, " + std::to_string(report.update) +
                         " update, " + std::to_string(report.errors.size()) + " errors" +
                         (report.applied ? ", applied" : ""));
  const bool refused = mode == "apply" && !report.applied;
  return json_response(refused ? 422 : 200, report_json(report, mode));
}

Response import_facilities(AdminServices& sv, const Caller& c, const Request& req) {
  return import(sv, c, req, ImportKind::kFacilities);
}

Response import_users(AdminServices& sv, const Caller& c, const Request& req) {
  return import(sv, c, req, ImportKind::kUsers);
}

}  // namespace

void add_feed_admin_routes(http::Router& web, AdminServices& sv) {
  using admin::admin_route;
  admin_route(web, sv, "GET", "/api/v1/admin/connected-systems", list,
              "HPD connected systems with their delivery state", 0);
  admin_route(web, sv, "POST", "/api/v1/admin/connected-systems", create,
              "add a connected system (ITI-59 feed target)");
  admin_route(web, sv, "PUT", "/api/v1/admin/connected-systems/{id}", edit,
              "edit name, URL, enabled");
  admin_route(web, sv, "DELETE", "/api/v1/admin/connected-systems/{id}", remove,
              "remove a connected system and its pending changes", 0);
  admin_route(web, sv, "POST", "/api/v1/admin/connected-systems/{id}/retry", retry,
              "attempt delivery now", 0);
  admin_route(web, sv, "POST", "/api/v1/admin/connected-systems/{id}/resync", resync,
              "send the whole directory (initial load)", 0);
  admin_route(web, sv, "GET", "/api/v1/admin/connected-systems/{id}/rejected", rejected_list,
              "changes the system refused for good, newest first (?page_size, cursor)", 0);
  admin_route(web, sv, "POST",
              "/api/v1/admin/connected-systems/{id}/rejected/{rejected_id}/requeue", requeue,
              "put a rejected change back into the outbox", 0);
  admin_route(web, sv, "DELETE", "/api/v1/admin/connected-systems/{id}/rejected/{rejected_id}",
              dismiss, "dismiss a rejected change", 0);
  constexpr std::size_t kCsvLimit = 8 * 1024 * 1024;
  admin_route(web, sv, "POST", "/api/v1/admin/import/facilities", import_facilities,
              "facilities from CSV (?mode=dry_run|apply)", kCsvLimit);
  admin_route(web, sv, "POST", "/api/v1/admin/import/users", import_users,
              "users from CSV (?mode=dry_run|apply)", kCsvLimit);
}

}  // namespace hareyaka::hpd_feed
