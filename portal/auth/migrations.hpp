// Session schema as embedded migrations, component "auth" (after "hpd": sessions reference
// users).
#pragma once

#include <vector>

#include "common/migrations.hpp"

namespace hareyaka::auth {

const std::vector<hareyaka::pg::Migration>& migrations();

}  // namespace hareyaka::auth
