// The HPD feed's schema (connected systems, the directory change log and its triggers, the
// feed outbox) as embedded migrations, component "hpd_feed" (after hpd's and auth's).
#pragma once

#include <vector>

#include "common/migrations.hpp"

namespace hareyaka::hpd_feed {

const std::vector<hareyaka::pg::Migration>& migrations();

}  // namespace hareyaka::hpd_feed
