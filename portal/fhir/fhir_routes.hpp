// The FHIR R4 API (#19), first resources: GET /fhir/metadata (the CapabilityStatement, exactly
// what is served), Patient read and search (IHE PDQm ITI-78, JP Core JP_Patient) and
// Patient/$ihe-pix (IHE PIXm ITI-83), over the same person directory, decisions and audit as
// the web UI's /api/v1/persons. The caller is a SMART bearer token (smart_auth.hpp). Errors
// are OperationOutcome resources; a person the user may not see is a 404, like one that does
// not exist.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/error.hpp"
#include "common/router.hpp"
#include "portal/fhir/smart_auth.hpp"
#include "portal/viewer/viewer_api.hpp"

namespace hareyaka::fhir {

struct FhirServices {
  portal::ViewerServices& viewer;
  SmartAuth& smart;
};

void add_fhir_routes(http::Router& web, FhirServices& services);

// A searchset Bundle of `entries` for GET /fhir/<type>: a self link with the request's
// parameters and, when `next_page` is set, a next link with _page=<next_page>.
http::Response searchset(const http::Request& req, const std::string& type, nlohmann::json entries,
                         const std::string& next_page);

// The JP_Patient `person_id` as the caller may see it (audited as a FHIR Patient read), or
// nothing when the caller may see none of the person.
std::optional<nlohmann::json> patient_resource(FhirServices& services, const portal::Caller& caller,
                                               std::int64_t person_id, const http::Request& req);

// An Error as an OperationOutcome with its HTTP status (401: WWW-Authenticate Bearer).
http::Response operation_outcome(const Error& e);

}  // namespace hareyaka::fhir
