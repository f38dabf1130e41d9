#include "portal/stats/stats_routes.hpp"

#include "common/error.hpp"
#include "portal/audit/audit_log.hpp"
#include "portal/stats/stats_report.hpp"

namespace hareyaka::stats {
namespace {

using http::Request;
using http::Response;
using nlohmann::json;
using portal::Caller;

Response ok_json(const json& body) {
  return Response::json(200, body.dump());
}

using Handler = Response (*)(StatsServices&, const Caller&, const Request&);

bool officer(const Caller& c) {
  return c.user.profession == hpd::Profession::kPrefectureOfficer;
}

[[noreturn]] void refuse(StatsServices& sv, const Caller& c, const Request& req,
                         const std::string& reason, const std::string& detail,
                         const char* message) {
  auto e = admin::admin_event(c, req, audit::EventType::kAdminAction, reason, detail);
  e.outcome = audit::Outcome::kDenied;
  sv.admin.web.audit.append(e, hpd::Clock::now());
  throw Error(ErrorCode::kForbidden, message);
}

// As admin::admin_route(): a secretariat administrator, or with `officers` also a prefecture
// officer (who reads only what may leave the secretariat); a refusal on record.
void stats_route(http::Router& web, StatsServices& sv, const char* method, const char* pattern,
                 Handler handler, const char* summary, bool officers = false) {
  web.add_blocking(
      method, pattern,
      [&sv, handler, method, pattern, officers](Request& req) {
        const Caller caller = portal::require_caller(sv.admin.web, req);
        if (!caller.admin && !(officers && officer(caller))) {
          refuse(sv, caller, req, "not_admin", std::string(method) + " " + pattern,
                 officers ? "this needs the secretariat administrator or prefecture officer role"
                          : "this needs the secretariat administrator role");
        }
        return handler(sv, caller, req);
      },
      {.body_limit = std::string_view(method) == "GET" ? 0u : 1024u, .summary = summary});
}

bool flag(const Request& req, const char* name) {
  auto v = admin::query(req, name);
  if (!v)
    return false;
  if (*v == "1" || *v == "true")
    return true;
  if (*v == "0" || *v == "false")
    return false;
  throw Error(ErrorCode::kBadRequest, std::string(name) + " must be true or false");
}

// The figures are brought up to the chain head first, so a page shows every view recorded
// before it was asked for (the background loop keeps this step short).
json report_for(StatsServices& sv, const Request& req, bool suppress) {
  sv.rollup.run_once();
  const Period p = resolve_period(sv.admin.pool, admin::query(req, "from").value_or(""),
                                  admin::query(req, "to").value_or(""));
  json report = build_report(sv.admin.pool, p, suppress);
  for (auto& cell : report["views_by_community"]) {
    const auto it = sv.community_names.find(cell["community"].get<std::string>());
    cell["community_name"] = it == sv.community_names.end() ? "" : it->second;
  }
  return report;
}

std::string period_detail(const json& report) {
  return report["period"]["from"].get<std::string>() + ".." +
         report["period"]["to"].get<std::string>();
}

Response read(StatsServices& sv, const Caller& c, const Request& req) {
  // The prefecture sees what leaves the secretariat: small cells suppressed, unasked.
  const bool suppress = officer(c) || flag(req, "suppress");
  if (officer(c) && admin::query(req, "suppress") && !flag(req, "suppress"))
    refuse(sv, c, req, "not_admin", "GET /api/v1/admin/stats suppress=false",
           "a prefecture officer reads the statistics with small cells suppressed");
  json report = report_for(sv, req, suppress);
  admin::audit_admin(sv.admin, c, req, "stats_read",
                     period_detail(report) + (suppress ? " suppressed" : ""));
  return ok_json(report);
}

// What leaves the secretariat: scope=public (the default) is always suppressed; the
// secretariat's own unsuppressed copy needs scope=internal.
Response export_report(StatsServices& sv, const Caller& c, const Request& req) {
  const std::string scope = admin::query(req, "scope").value_or("public");
  if (scope != "public" && scope != "internal")
    throw Error(ErrorCode::kBadRequest, "scope must be public or internal");
  if (scope == "internal" && officer(c))
    refuse(sv, c, req, "not_admin", "GET /api/v1/admin/stats/export scope=internal",
           "a prefecture officer exports the public statistics only");
  const std::string format = admin::query(req, "format").value_or("csv");
  if (format != "csv" && format != "json")
    throw Error(ErrorCode::kBadRequest, "format must be csv or json");
  json report = report_for(sv, req, scope == "public");
  report["scope"] = scope;
  admin::audit_admin(sv.admin, c, req, "stats_export",
                     period_detail(report) + " " + scope + " " + format);
  const std::string name = "hareyaka-stats-" + scope + "-" +
                           report["period"]["from"].get<std::string>() + "-" +
                           report["period"]["to"].get<std::string>() + "." + format;
  Response res = format == "csv"
                     ? Response::text(200, report_csv(report), "text/csv; charset=utf-8")
                     : Response::json(200, report.dump());
  res.headers["Content-Disposition"] = "attachment; filename=\"" + name + "\"";
  return res;
}

Response roll_up(StatsServices& sv, const Caller& c, const Request& req) {
  const auto n = sv.rollup.run_once();
  const auto last = sv.rollup.cursor();
  admin::audit_admin(sv.admin, c, req, "stats_rollup", "records=" + std::to_string(n));
  return ok_json({{"records", n}, {"last_seq", last}});
}

Response rebuild(StatsServices& sv, const Caller& c, const Request& req) {
  const auto n = sv.rollup.rebuild();
  admin::audit_admin(sv.admin, c, req, "stats_rebuild", "records=" + std::to_string(n));
  return ok_json({{"records", n}, {"last_seq", sv.rollup.cursor()}});
}

Response check(StatsServices& sv, const Caller& c, const Request& req) {
  const auto r = sv.rollup.check();
  admin::audit_admin(sv.admin, c, req, "stats_check",
                     r.ok ? "ok" : "mismatched=" + std::to_string(r.mismatched_cells));
  return ok_json({{"ok", r.ok},
                  {"last_seq", r.last_seq},
                  {"cells", r.cells},
                  {"mismatched_cells", r.mismatched_cells},
                  {"mismatched_totals", r.mismatched_totals},
                  {"mismatched_month_cells", r.mismatched_month_cells}});
}

}  // namespace

void add_stats_routes(http::Router& web, StatsServices& sv) {
  stats_route(web, sv, "GET", "/api/v1/admin/stats", read, "usage statistics for a period", true);
  stats_route(web, sv, "GET", "/api/v1/admin/stats/export", export_report,
              "usage statistics as CSV or JSON (public: small cells suppressed)", true);
  stats_route(web, sv, "POST", "/api/v1/admin/stats/rollup", roll_up,
              "roll the audit chain up to its head now");
  stats_route(web, sv, "POST", "/api/v1/admin/stats/rebuild", rebuild,
              "recount the statistics from the first audit record");
  stats_route(web, sv, "POST", "/api/v1/admin/stats/check", check,
              "compare the rollup with a recount from the audit chain");
}

}  // namespace hareyaka::stats
