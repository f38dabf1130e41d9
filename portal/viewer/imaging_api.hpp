// The browser's DICOM endpoints: WADO-URI and DICOMweb (QIDO-RS, WADO-RS) for one person's
// studies at one facility, /api/v1/persons/{person_id}/imaging/{facility_oid}/wado?... and
// .../dicomweb/studies/... The person and the facility are in the path, so every request is
// checked like the other viewer routes: session, the person visible to the user's facility,
// decide() for the imaging category at that facility (audited either way); the request is
// then proxied to the facility's gateway with a signed access assertion for the person's
// identity there, and the answer streamed back chunk by chunk. The gateway itself refuses a
// study of another patient, so a bare study UID never bypasses consent.
#pragma once

#include "common/router.hpp"
#include "portal/viewer/viewer_api.hpp"

namespace hareyaka::portal {

void add_imaging_routes(http::Router& web, ViewerServices& services);

}  // namespace hareyaka::portal
