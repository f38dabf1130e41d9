// The locator table as embedded migrations, component "locators" (after pix's).
#pragma once

#include <vector>

#include "common/migrations.hpp"

namespace hareyaka::locators {

const std::vector<hareyaka::pg::Migration>& migrations();

}  // namespace hareyaka::locators
