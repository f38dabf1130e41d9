// The statistics rollup tables as embedded migrations, component "stats" (after audit's).
#pragma once

#include <vector>

#include "common/migrations.hpp"

namespace hareyaka::stats {

const std::vector<hareyaka::pg::Migration>& migrations();

}  // namespace hareyaka::stats
