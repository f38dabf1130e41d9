// The directory's schema (facilities, users) as embedded migrations, component "hpd".
// Apply before consent, auth and audit: they use its tables and time helpers.
#pragma once

#include <vector>

#include "common/migrations.hpp"

namespace hareyaka::hpd {

const std::vector<hareyaka::pg::Migration>& migrations();

}  // namespace hareyaka::hpd
