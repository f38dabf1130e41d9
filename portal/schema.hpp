// Every component's migrations that the portal's database holds, in dependency order.
#pragma once

#include <vector>

#include "common/migrations.hpp"

namespace hareyaka::portal {

std::vector<const pg::MigrationSet*> all_migrations();

}  // namespace hareyaka::portal
