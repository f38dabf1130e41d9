// FHIR read and search over what the gateways hold (#19), mapped from the SS-MIX2 records the
// viewer returns (the JAMI ssmix2-to-fhir mapping, JP Core profiles): Encounter (ADT/PV1),
// Condition (PPR-01), AllergyIntolerance, MedicationRequest (OMP-01), Observation and
// DiagnosticReport (OML-11, laboratory), ImagingStudy (the DICOM studies, with their WADO-RS
// endpoint) and the extended-storage documents as IHE MHD DocumentReference (ITI-67) and
// Binary (ITI-68). Each search is GET /fhir/<Type>?patient=<id> with date (ge/le), _count, a
// next link and _include of the patient (and DiagnosticReport:result); it is the web UI's
// category request underneath (portal/viewer fetch_category), so the same decision, the same
// audit records and the same paging across gateways, and a gateway that does not answer is an
// OperationOutcome warning in the Bundle, not an error. Ids are "<person>-<digest>": a read by
// id asks the gateways for that person's records again and finds the one with the id.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "portal/fhir/fhir_routes.hpp"

namespace hareyaka::fhir {

void add_clinical_routes(http::Router& web, FhirServices& services);

// A gateway item as FHIR resources of `type` (one lab result gives one Observation per
// test item); ids are deterministic (the facility and the item's content).
nlohmann::json clinical_resources(const std::string& type, const nlohmann::json& item,
                                  const std::string& person_id, const std::string& base_url);

// The CapabilityStatement's rest.resource entries for these types and Binary.
nlohmann::json clinical_capabilities();

}  // namespace hareyaka::fhir
