// The care team's shared record (issue #18) as embedded migrations, component "care" (after
// "hpd" and "pix": members are users, teams are PIX persons).
#pragma once

#include <vector>

#include "common/migrations.hpp"

namespace hareyaka::care {

const std::vector<hareyaka::pg::Migration>& migrations();

}  // namespace hareyaka::care
