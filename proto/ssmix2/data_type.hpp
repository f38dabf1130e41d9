// The SS-MIX2 standard storage data types (データ種別) and what each one carries. The code
// string is the folder and file-name form ("OMP-01"); the expected MSH-9 message type lets a
// reader notice a file stored under the wrong type.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace hareyaka::ssmix2 {

enum class DataType : std::uint8_t {
  kAdt00,  // patient demographics update (A08)
  kAdt01,  // change of attending doctor (A54 / cancel A55)
  kAdt12,  // outpatient visit registered (A04 / cancel A11)
  kAdt21,  // admission planned (A14 / cancel A27)
  kAdt22,  // admission (A01 / cancel A11)
  kAdt31,  // leave of absence (A21 / cancel A52)
  kAdt32,  // return from leave (A22 / cancel A53)
  kAdt41,  // transfer planned (A15 / cancel A26)
  kAdt42,  // transfer (A02 / cancel A12)
  kAdt51,  // discharge planned (A16 / cancel A25)
  kAdt52,  // discharge (A03 / cancel A13)
  kAdt61,  // allergies (A60)
  kPpr01,  // diagnoses
  kOmd,    // meal order
  kOmp01,  // prescription order
  kOmp11,  // prescription administration
  kOmp02,  // injection order
  kOmp12,  // injection administration
  kOml01,  // specimen lab order
  kOml11,  // specimen lab result
  kOmg01,  // radiology order
  kOmg11,  // radiology performed / report
  kOmg02,  // endoscopy order
  kOmg12,  // endoscopy performed / report
  kOmg03,  // physiology order
  kOmg13,  // physiology result
};

inline constexpr int kDataTypeCount = 26;

// What the portal calls a category; several data types feed one category.
enum class Category : std::uint8_t {
  kDemographics,
  kEncounters,
  kAllergies,
  kDiagnoses,
  kMeals,
  kPrescriptions,
  kAdministrations,
  kInjections,
  kInjectionAdministrations,
  kLabOrders,
  kLabResults,
  kRadiology,
  kEndoscopy,
  kPhysiology,
};

std::optional<DataType> parse_data_type(std::string_view code);
std::string_view to_string(DataType type);
Category category_of(DataType type);
std::string_view to_string(Category category);
std::optional<Category> parse_category(std::string_view name);
// MSH-9.1 every message of this data type carries ("RDE" for OMP-01).
std::string_view expected_message_type(DataType type);
// True for data types stored without a date (date folder "-").
bool is_dateless(DataType type);
// True for the order half of an order/result pair (OMG-01 vs OMG-11 etc.).
bool is_order(DataType type);

}  // namespace hareyaka::ssmix2
