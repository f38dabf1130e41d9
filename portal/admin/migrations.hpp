// The admin console's indexes as embedded migrations, component "admin" (after hpd's).
#pragma once

#include <vector>

#include "common/migrations.hpp"

namespace hareyaka::admin {

const std::vector<hareyaka::pg::Migration>& migrations();

}  // namespace hareyaka::admin
