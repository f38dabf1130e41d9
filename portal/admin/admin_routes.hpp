// The areas of the admin API, each a small route table over plain handler functions
// (AdminServices, the checked caller, the request) -> response. admin_route() puts the
// secretariat check in front of every one of them (a refused non-administrator is audited).
#pragma once

#include <utility>

#include "common/router.hpp"
#include "portal/admin/admin_common.hpp"

namespace hareyaka::admin {

using Handler = http::Response (*)(AdminServices&, const portal::Caller&, const http::Request&);

// Registers a blocking route whose handler runs only for a secretariat administrator
// (require_admin(); a logged-in non-administrator's attempt is audited as denied).
void admin_route(http::Router& web, AdminServices& sv, const char* method, const char* pattern,
                 Handler handler, const char* summary, std::size_t body_limit = 64 * 1024);

inline http::Response json_response(int status, const json& body) {
  return http::Response::json(status, body.dump());
}

void add_facility_routes(http::Router& web, AdminServices& sv);
void add_user_routes(http::Router& web, AdminServices& sv);
void add_consent_routes(http::Router& web, AdminServices& sv);
void add_policy_routes(http::Router& web, AdminServices& sv);
void add_identity_routes(http::Router& web, AdminServices& sv);
void add_audit_routes(http::Router& web, AdminServices& sv);
void add_hpd_admin_routes(http::Router& web, AdminServices& sv);
void add_municipality_routes(http::Router& web, AdminServices& sv);

}  // namespace hareyaka::admin
