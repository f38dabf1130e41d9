#include "consent/category.hpp"

namespace hareyaka::consent {

std::string_view to_string(Category c) {
  switch (c) {
    case Category::kEncounters:
      return "encounters";
    case Category::kDiagnoses:
      return "diagnoses";
    case Category::kPrescriptions:
      return "prescriptions";
    case Category::kInjections:
      return "injections";
    case Category::kAllergies:
      return "allergies";
    case Category::kLabResults:
      return "lab_results";
    case Category::kImaging:
      return "imaging";
    case Category::kReports:
      return "reports";
    case Category::kDocuments:
      return "documents";
    case Category::kDemographics:
      return "demographics";
  }
  return "unknown";
}

std::optional<Category> parse_category(std::string_view s) {
  for (auto c : kAllCategories) {
    if (to_string(c) == s)
      return c;
  }
  return std::nullopt;
}

}  // namespace hareyaka::consent
