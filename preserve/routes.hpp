// The preservation node's HTTP API on its `nodes` listener (mutual TLS), docs/api.md
// "Preservation node". A facility's copy is written only by certificates listed as its
// writers and read only by its readers; everyone else gets 403 and the same answer for a
// facility that is not configured, so the listing of facilities is not disclosed.
#pragma once

#include <vector>

#include "common/router.hpp"
#include "preserve/config.hpp"
#include "preserve/store.hpp"

namespace hareyaka::preserve {

void add_preserve_routes(http::Router& router, PreservationStore& store,
                         const std::vector<FacilityAccess>& facilities);

}  // namespace hareyaka::preserve
