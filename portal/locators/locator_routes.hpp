// The locator endpoints of the portal's node listener (mutual TLS), for the gateways:
//   PUT    /api/gw/v1/locators/{patient_id}   one patient's entry (idempotent by digest)
//   DELETE /api/gw/v1/locators/{patient_id}   the patient is gone from the storage
//   GET    /api/gw/v1/locators?after=&limit=  (patient_id, digest) pages for resynchronisation
// The facility is the one whose registered gateway certificate the caller presents, exactly
// as for ITI-44 feeds: a gateway reads and writes only its own facility's entries.
#pragma once

#include "common/pg.hpp"
#include "common/router.hpp"
#include "portal/locators/locator_store.hpp"
#include "portal/pix_routes.hpp"

namespace hareyaka::portal {

void add_locator_routes(http::Router& nodes, LocatorStore& store, NodeFacilityLookup facility_of);

// GET /api/gw/v1/consented-patients?after=&limit= on the node listener: the caller's
// facility's patients that a consent in force discloses (local ids, paged), for the
// gateway's preservation (issue #20): only they are preserved.
void add_consented_patients_route(http::Router& nodes, pg::Pool& pool,
                                  NodeFacilityLookup facility_of);

// Validates a PUT body and returns the content the digest covers
// ({"categories","documents","studies"}); throws Error(kBadRequest) naming what is wrong.
nlohmann::json locator_content_of(const nlohmann::json& body);

}  // namespace hareyaka::portal
