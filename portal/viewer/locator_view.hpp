// What the viewer takes from the locator entries, without calling any gateway: per facility
// the categories present with their date ranges and counts (the summary and the visit
// history), and which gateway calls can be skipped because the facility's entry says it
// holds nothing in that category. Callers ask decide() first and pass only the categories
// the user may see: nothing here is disclosed for a category that was not allowed.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "portal/locators/locator_store.hpp"
#include "portal/viewer/person_directory.hpp"

namespace hareyaka::portal {

// The person's locator entries by identity ("authority|local id"); empty without a store.
std::map<std::string, Locator> person_locators(LocatorStore* store, const PersonView& person);
const Locator* locator_of(const std::map<std::string, Locator>& locators,
                          const PersonIdentity& identity);

// {"last_change", "categories": {"<portal category>": {"count", "first", "last"}}} over the
// allowed portal categories, each with the gateway categories that make it up; categories
// with nothing are left out.
nlohmann::json locator_summary(
    const Locator& locator,
    const std::vector<std::pair<std::string, std::vector<std::string>>>& allowed);

// True when the facility's entry says it holds nothing in this gateway category, so the call
// can be skipped. False without an entry (its absence never hides data) and for allergies
// (the gateway also reads them from the demographics message, which the entry does not count),
// nor for radiology when the entry lists imaging studies; for the DICOM study list
// ("imaging") true exactly when the entry lists no studies.
bool holds_nothing(const Locator* locator, const std::string& gateway_category);

}  // namespace hareyaka::portal
