// FHIR read and search over what the gateways hold (#19), as fhir_mapping.hpp maps it:
// Encounter, Condition, AllergyIntolerance, MedicationRequest, Observation and
// DiagnosticReport (laboratory), ImagingStudy, and the extended-storage documents as IHE MHD
// DocumentReference (ITI-67) and Binary (ITI-68). Each search is GET /fhir/<Type>?patient=<id> with
// date (ge/le), _count, a next link and _include of the patient (and DiagnosticReport:result); it
// is the web UI's category request underneath (portal/viewer fetch_category), so the same decision,
// the same audit records and the same paging across gateways, and a gateway that does not answer is
// an OperationOutcome warning in the Bundle, not an error. Ids are "<person>-<digest>": a read by
// id asks the gateways for that person's records again and finds the one with the id.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "portal/fhir/fhir_routes.hpp"

namespace hareyaka::fhir {

void add_clinical_routes(http::Router& web, FhirServices& services);

// The CapabilityStatement's rest.resource entries for these types and Binary.
nlohmann::json clinical_capabilities();

}  // namespace hareyaka::fhir
