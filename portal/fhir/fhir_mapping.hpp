// What the gateways hold as FHIR resources (#19): the SS-MIX2 records of the viewer's category
// answers (the clinical model's JSON, proto/clinical/model.hpp) mapped to JP Core profiles
// following the JAMI ssmix2-to-fhir mapping. Pure functions, no I/O: the routes that decide,
// fetch and audit are fhir_clinical.hpp's.
//   Encounter (ADT/PV1), Condition (PPR-01), AllergyIntolerance, MedicationRequest (OMP-01),
//   Observation (one per OML-11 test item), DiagnosticReport (one per lab result, its
//   results those Observations), ImagingStudy (a DICOM study, with a contained WADO-RS
//   Endpoint at the portal), DocumentReference (IHE MHD, its content Binary/<same id>).
// Logical ids are "<person>-<40 hex>": the person, then a SHA-256 of the type, the facility
// and the record's content, the same on every read. Codes keep what the hospital sent, with
// the system URIs JP Core names where the SS-MIX2 coding system is known.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace hareyaka::fhir {

// A gateway item as FHIR resources of `type` (none when the item is not one, e.g. a
// radiology order for ImagingStudy). base_url: this server's FHIR base ("https://host/fhir"),
// for the Binary and Endpoint addresses.
nlohmann::json clinical_resources(const std::string& type, const nlohmann::json& item,
                                  const std::string& person_id, const std::string& base_url);

// The profile the resources of `type` claim in meta.profile ("" for an unmapped type).
std::string profile_of(const std::string& type);

// A string member of a gateway item, "" when absent or not a string.
std::string member(const nlohmann::json& j, const char* key);

// A FHIR date or dateTime from the gateway's ISO (or HL7 compact) time, Japan time with
// its offset; "" when it is neither.
std::string fhir_time(const std::string& s);

}  // namespace hareyaka::fhir
