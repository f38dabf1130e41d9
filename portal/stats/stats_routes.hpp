// /api/v1/admin/stats: the usage statistics (docs/api.md "Statistics"). Reading them is a
// secretariat administrator's action and is audited like every admin call; the export
// meant to leave the secretariat suppresses small cells.
#pragma once

#include <map>
#include <string>

#include "common/router.hpp"
#include "portal/admin/admin_common.hpp"
#include "portal/stats/stats_rollup.hpp"

namespace hareyaka::stats {

struct StatsServices {
  admin::AdminServices& admin;
  StatsRollup& rollup;
  // The peer networks' names by homeCommunityId (xcpd.peers), for the cross-network cells.
  std::map<std::string, std::string> community_names;
};

void add_stats_routes(http::Router& web, StatsServices& services);

}  // namespace hareyaka::stats
