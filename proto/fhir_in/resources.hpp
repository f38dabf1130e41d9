// Internal to proto/fhir_in: one resource into the clinical model. Each function throws
// Problem (the entry's reason, naming elements only) for what the resource lacks or gets wrong.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "proto/fhir_in/fhir_in.hpp"

namespace hareyaka::fhir_in::detail {

struct Problem {
  std::string reason;
};

using nlohmann::json;

// A string member ("" when absent); Problem when present and not a string.
std::string text_of(const json& r, const char* key);
// The reference of r[key] ("Patient/1", "urn:uuid:..."); Problem when missing.
std::string reference_of(const json& r, const char* key);

clinical::Patient patient(const json& r, std::vector<std::string>& identifiers);
clinical::Diagnosis condition(const json& r);
clinical::Allergy allergy(const json& r);
clinical::MedicationOrder medication_request(const json& r);
clinical::LabResult observation(const json& r);
DocumentInfo composition(const json& r);

}  // namespace hareyaka::fhir_in::detail
