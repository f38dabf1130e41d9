// The admin API of the HPD feed and the bulk import (docs/api.md "Connected systems" and
// "Bulk import"): connected systems with their delivery state, and CSV dry run / apply.
#pragma once

#include "common/router.hpp"
#include "portal/admin/admin_common.hpp"

namespace hareyaka::hpd_feed {

void add_feed_admin_routes(http::Router& web, admin::AdminServices& services);

}  // namespace hareyaka::hpd_feed
