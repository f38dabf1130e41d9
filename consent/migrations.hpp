// Consent and policy schema as embedded migrations, component "consent" (after "hpd").
#pragma once

#include <vector>

#include "common/migrations.hpp"

namespace hareyaka::consent {

const std::vector<hareyaka::pg::Migration>& migrations();

}  // namespace hareyaka::consent
