// GET /api/gw/v1/directory?since=<version>[&limit=n] on the portal's node listener (mutual
// TLS): the directory entries a gateway needs to name viewers in its local audit and to know
// the users its access assertions name. Only registered gateways (a facility whose gateway
// certificate fingerprint is the caller's) may pull; what they get carries no secret (no
// password hash, no TOTP, no lockout state). Incremental: the answer holds the current state
// of every facility and user changed after `since`, the keys deleted since, and the version
// to ask from next; `more` says another page follows at once.
#pragma once

#include "common/pg.hpp"
#include "common/router.hpp"

namespace hareyaka::hpd_feed {

void add_directory_pull_routes(http::Router& nodes, pg::Pool& pool);

}  // namespace hareyaka::hpd_feed
