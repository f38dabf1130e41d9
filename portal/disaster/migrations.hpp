// Disaster declarations (issue #20) as embedded migrations, component "disaster" (after
// "hpd": a declaration names a facility and the users who declared and ended it).
#pragma once

#include <vector>

#include "common/migrations.hpp"

namespace hareyaka::disaster {

const std::vector<hareyaka::pg::Migration>& migrations();

}  // namespace hareyaka::disaster
