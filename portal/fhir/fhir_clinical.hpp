// FHIR search over what the gateways hold (#19), mapped from the SS-MIX2 records the viewer
// returns (the JAMI ssmix2-to-fhir mapping, JP Core profiles): Condition (PPR-01),
// AllergyIntolerance, MedicationRequest (OMP-01) and Observation (OML-11, category
// laboratory). Each search is GET /fhir/<Type>?patient=<id> with date (ge/le), _count and a
// next link; it is the web UI's category request underneath (portal/viewer fetch_category),
// so the same decision, the same audit records and the same paging across gateways, and a
// gateway that does not answer is an OperationOutcome warning in the Bundle, not an error.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "portal/fhir/fhir_routes.hpp"

namespace hareyaka::fhir {

void add_clinical_routes(http::Router& web, FhirServices& services);

// A gateway item as FHIR resources of `type` (one lab result gives one Observation per
// test item); ids are deterministic (the facility and the item's content).
nlohmann::json clinical_resources(const std::string& type, const nlohmann::json& item,
                                  const std::string& person_id);

}  // namespace hareyaka::fhir
