#include "portal/admin/admin_api.hpp"

#include "portal/admin/admin_routes.hpp"

namespace hareyaka::admin {

void add_admin_routes(http::Router& web, AdminServices& sv) {
  add_facility_routes(web, sv);
  add_user_routes(web, sv);
  add_consent_routes(web, sv);
  add_policy_routes(web, sv);
  add_identity_routes(web, sv);
  add_audit_routes(web, sv);
}

}  // namespace hareyaka::admin
