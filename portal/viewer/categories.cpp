#include "portal/viewer/categories.hpp"

namespace hareyaka::portal {

const std::map<std::string, CategoryParts>& portal_categories() {
  static const std::map<std::string, CategoryParts> k = {
      {"encounters", {consent::Category::kEncounters, {"encounters"}}},
      {"diagnoses", {consent::Category::kDiagnoses, {"diagnoses"}}},
      {"prescriptions", {consent::Category::kPrescriptions, {"prescriptions"}}},
      {"injections", {consent::Category::kInjections, {"injections"}}},
      {"allergies", {consent::Category::kAllergies, {"allergies"}}},
      {"lab_results", {consent::Category::kLabResults, {"lab_results"}}},
      {"imaging", {consent::Category::kImaging, {"radiology", "imaging"}}},  // + DICOM studies
      {"reports", {consent::Category::kReports, {"radiology", "endoscopy", "physiology"}}},
      {"documents", {consent::Category::kDocuments, {"documents"}}},
  };
  return k;
}

}  // namespace hareyaka::portal
