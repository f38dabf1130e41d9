// The FHIR API's tables (SMART apps, codes, tokens) as embedded migrations, component "fhir"
// (after the directory's: tokens refer to users).
#pragma once

#include <vector>

#include "common/migrations.hpp"

namespace hareyaka::fhir {

const std::vector<hareyaka::pg::Migration>& migrations();

}  // namespace hareyaka::fhir
