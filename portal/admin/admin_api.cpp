#include "portal/admin/admin_api.hpp"

#include "common/error.hpp"
#include "portal/admin/admin_routes.hpp"
#include "portal/audit/audit_log.hpp"

namespace hareyaka::admin {

void admin_route(http::Router& web, AdminServices& sv, const char* method, const char* pattern,
                 Handler handler, const char* summary, std::size_t body_limit) {
  web.add_blocking(method, pattern,
                   [&sv, handler, method, pattern](http::Request& req) {
                     // What require_admin() does, with the refusal on record.
                     const portal::Caller caller = portal::require_caller(sv.web, req);
                     if (!caller.admin) {
                       auto e = admin_event(caller, req, audit::EventType::kAdminAction,
                                            "not_admin", std::string(method) + " " + pattern);
                       e.outcome = audit::Outcome::kDenied;
                       sv.web.audit.append(e, hpd::Clock::now());
                       throw Error(ErrorCode::kForbidden,
                                   "this needs the secretariat administrator role");
                     }
                     return handler(sv, caller, req);
                   },
                   {.body_limit = body_limit, .summary = summary});
}

void add_admin_routes(http::Router& web, AdminServices& sv) {
  add_facility_routes(web, sv);
  add_user_routes(web, sv);
  add_consent_routes(web, sv);
  add_policy_routes(web, sv);
  add_identity_routes(web, sv);
  add_audit_routes(web, sv);
  add_municipality_routes(web, sv);
  if (sv.hpd)
    add_hpd_admin_routes(web, sv);
}

}  // namespace hareyaka::admin
