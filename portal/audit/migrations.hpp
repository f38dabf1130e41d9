// Audit schema as embedded migrations, component "audit" (independent of the others).
#pragma once

#include <vector>

#include "common/migrations.hpp"

namespace hareyaka::audit {

const std::vector<hareyaka::pg::Migration>& migrations();

}  // namespace hareyaka::audit
