#include "portal/viewer/locator_view.hpp"

#include <algorithm>

namespace hareyaka::portal {

using nlohmann::json;

std::map<std::string, Locator> person_locators(LocatorStore* store, const PersonView& person) {
  std::map<std::string, Locator> out;
  if (!store)
    return out;
  std::vector<std::pair<std::string, std::string>> ids;
  for (const auto& i : person.identities)
    ids.emplace_back(i.authority, i.local_id);
  for (auto& l : store->for_identities(ids)) {
    std::string key = l.authority + "|" + l.local_id;
    out.emplace(std::move(key), std::move(l));
  }
  return out;
}

const Locator* locator_of(const std::map<std::string, Locator>& locators,
                          const PersonIdentity& identity) {
  auto it = locators.find(identity.authority + "|" + identity.local_id);
  if (it == locators.end())
    return nullptr;
  // Only the facility owning the identity's domain describes it.
  return it->second.facility_oid == identity.facility_oid ? &it->second : nullptr;
}

json locator_summary(const Locator& locator,
                     const std::vector<std::pair<std::string, std::vector<std::string>>>& allowed) {
  const json& held =
      locator.content.contains("categories") ? locator.content["categories"] : json::object();
  json categories = json::object();
  for (const auto& [name, parts] : allowed) {
    std::int64_t count = 0;
    std::string first, last;
    for (const auto& part : parts) {
      if (!held.contains(part))
        continue;
      const json& r = held[part];
      count += r.value("count", std::int64_t{0});
      const std::string f = r.value("first", ""), l = r.value("last", "");
      if (!f.empty() && (first.empty() || f < first))
        first = f;
      if (!l.empty() && l > last)
        last = l;
    }
    if (count == 0)
      continue;
    json c{{"count", count}};
    if (!first.empty()) {
      c["first"] = first;
      c["last"] = last;
    }
    categories[name] = std::move(c);
  }
  return {{"last_change", locator.last_change}, {"categories", categories}};
}

bool holds_nothing(const Locator* locator, const std::string& gateway_category) {
  if (!locator || gateway_category == "allergies")
    return false;
  // The DICOM study list: asked when the entry lists studies (a gateway without DICOM, or a
  // patient without studies, has none).
  if (gateway_category == "imaging")
    return locator->content.value("studies", json::array()).empty();
  // Imaging studies (DICOM) may exist without an SS-MIX2 radiology message: ask then too.
  if (gateway_category == "radiology" && !locator->content.value("studies", json::array()).empty())
    return false;
  const json& held =
      locator->content.contains("categories") ? locator->content["categories"] : json::object();
  return !held.contains(gateway_category) || held[gateway_category].value("count", 0) == 0;
}

}  // namespace hareyaka::portal
