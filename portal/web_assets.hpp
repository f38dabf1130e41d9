// The web UI's files (portal/web/), served by the portal itself: hospital networks are
// closed, so nothing comes from a CDN. Only plain file names under the web root are served
// (no "..", no hidden files), with a strict Content-Security-Policy.
#pragma once

#include <string>

#include "common/router.hpp"

namespace hareyaka::portal {

void add_web_asset_routes(http::Router& web, const std::string& web_root);

}  // namespace hareyaka::portal
