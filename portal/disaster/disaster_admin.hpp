// The admin console's disaster declarations (issue #20): declare, list, end; the secretariat
// administrator only, as every admin route (portal/admin/admin_routes.hpp).
#pragma once

#include "common/router.hpp"
#include "portal/admin/admin_common.hpp"

namespace hareyaka::disaster {

void add_disaster_routes(http::Router& web, admin::AdminServices& sv);

}  // namespace hareyaka::disaster
