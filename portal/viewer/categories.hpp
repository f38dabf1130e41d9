// The portal's data categories (what the viewer shows and consents name), each with the
// consent category it is decided as and the gateway data API categories that make it up.
// One table for the viewer API, the XCA responding gateway and the configuration.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "consent/decision.hpp"

namespace hareyaka::portal {

using CategoryParts = std::pair<consent::Category, std::vector<std::string>>;

// Portal category -> (consent category, gateway categories), in name order.
const std::map<std::string, CategoryParts>& portal_categories();

}  // namespace hareyaka::portal
