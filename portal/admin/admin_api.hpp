// The secretariat's admin API (docs/api.md "Admin console"): facilities, users, consents,
// the role policy, the identity review queue, audit search and chain verification, and a
// person's access report. Every route needs a secretariat administrator's session (and the
// CSRF token when it changes state) and appends an audit record.
#pragma once

#include "common/router.hpp"
#include "portal/admin/admin_common.hpp"

namespace hareyaka::admin {

void add_admin_routes(http::Router& web, AdminServices& services);

}  // namespace hareyaka::admin
