// The data categories a viewer request asks for. Consent scopes and the role policy are
// expressed in these; the viewer API maps each endpoint to exactly one category.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace hareyaka::consent {

enum class Category {
  kEncounters,
  kDiagnoses,
  kPrescriptions,
  kInjections,
  kAllergies,
  kLabResults,
  kImaging,
  kReports,  // radiology, endoscopy, physiology reports
  kDocuments,
  kDemographics,
};

inline constexpr std::array kAllCategories = {
    Category::kEncounters, Category::kDiagnoses,    Category::kPrescriptions, Category::kInjections,
    Category::kAllergies,  Category::kLabResults,   Category::kImaging,       Category::kReports,
    Category::kDocuments,  Category::kDemographics,
};

// "encounters", "diagnoses", "prescriptions", "injections", "allergies", "lab_results",
// "imaging", "reports", "documents", "demographics"
std::string_view to_string(Category c);
std::optional<Category> parse_category(std::string_view s);

}  // namespace hareyaka::consent
