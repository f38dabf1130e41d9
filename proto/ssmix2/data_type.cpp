#include "proto/ssmix2/data_type.hpp"

#include <array>

namespace hareyaka::ssmix2 {
namespace {

struct TypeInfo {
  DataType type;
  std::string_view code;
  Category category;
  std::string_view message_type;
};

constexpr std::array<TypeInfo, kDataTypeCount> kTypes{{
    {DataType::kAdt00, "ADT-00", Category::kDemographics, "ADT"},
    {DataType::kAdt01, "ADT-01", Category::kEncounters, "ADT"},
    {DataType::kAdt12, "ADT-12", Category::kEncounters, "ADT"},
    {DataType::kAdt21, "ADT-21", Category::kEncounters, "ADT"},
    {DataType::kAdt22, "ADT-22", Category::kEncounters, "ADT"},
    {DataType::kAdt31, "ADT-31", Category::kEncounters, "ADT"},
    {DataType::kAdt32, "ADT-32", Category::kEncounters, "ADT"},
    {DataType::kAdt41, "ADT-41", Category::kEncounters, "ADT"},
    {DataType::kAdt42, "ADT-42", Category::kEncounters, "ADT"},
    {DataType::kAdt51, "ADT-51", Category::kEncounters, "ADT"},
    {DataType::kAdt52, "ADT-52", Category::kEncounters, "ADT"},
    {DataType::kAdt61, "ADT-61", Category::kAllergies, "ADT"},
    {DataType::kPpr01, "PPR-01", Category::kDiagnoses, "PPR"},
    {DataType::kOmd, "OMD", Category::kMeals, "OMD"},
    {DataType::kOmp01, "OMP-01", Category::kPrescriptions, "RDE"},
    {DataType::kOmp11, "OMP-11", Category::kAdministrations, "RAS"},
    {DataType::kOmp02, "OMP-02", Category::kInjections, "RDE"},
    {DataType::kOmp12, "OMP-12", Category::kInjectionAdministrations, "RAS"},
    {DataType::kOml01, "OML-01", Category::kLabOrders, "OML"},
    {DataType::kOml11, "OML-11", Category::kLabResults, "OUL"},
    {DataType::kOmg01, "OMG-01", Category::kRadiology, "OMG"},
    {DataType::kOmg11, "OMG-11", Category::kRadiology, "OMI"},
    {DataType::kOmg02, "OMG-02", Category::kEndoscopy, "OMG"},
    {DataType::kOmg12, "OMG-12", Category::kEndoscopy, "OMI"},
    {DataType::kOmg03, "OMG-03", Category::kPhysiology, "OMG"},
    {DataType::kOmg13, "OMG-13", Category::kPhysiology, "ORU"},
}};

constexpr std::array<std::string_view, 14> kCategoryNames{
    "demographics",    "encounters",  "allergies",
    "diagnoses",       "meals",       "prescriptions",
    "administrations", "injections",  "injection_administrations",
    "lab_orders",      "lab_results", "radiology",
    "endoscopy",       "physiology"};

}  // namespace

std::optional<DataType> parse_data_type(std::string_view code) {
  for (const auto& t : kTypes) {
    if (t.code == code)
      return t.type;
  }
  return std::nullopt;
}

std::string_view to_string(DataType type) {
  return kTypes[static_cast<int>(type)].code;
}
Category category_of(DataType type) {
  return kTypes[static_cast<int>(type)].category;
}
std::string_view expected_message_type(DataType type) {
  return kTypes[static_cast<int>(type)].message_type;
}

std::string_view to_string(Category category) {
  return kCategoryNames[static_cast<int>(category)];
}

std::optional<Category> parse_category(std::string_view name) {
  for (std::size_t i = 0; i < kCategoryNames.size(); ++i) {
    if (kCategoryNames[i] == name)
      return static_cast<Category>(i);
  }
  return std::nullopt;
}

bool is_dateless(DataType type) {
  return type == DataType::kAdt00 || type == DataType::kAdt61 || type == DataType::kPpr01;
}

bool is_order(DataType type) {
  switch (type) {
    case DataType::kOmp01:
    case DataType::kOmp02:
    case DataType::kOml01:
    case DataType::kOmg01:
    case DataType::kOmg02:
    case DataType::kOmg03:
    case DataType::kOmd:
      return true;
    default:
      return false;
  }
}

}  // namespace hareyaka::ssmix2
