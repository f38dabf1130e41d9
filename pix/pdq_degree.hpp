// ITI-47 degree of match: how well a person's demographics agree with the fields a PDQ query
// gave, as a percentage. Only the fields in the query count (a query by family name alone
// scores 100 against everyone of that name); a query by identifier alone scores 100.
#pragma once

#include <vector>

#include "pix/identity_store.hpp"

namespace hareyaka::pix {

int match_degree(const SearchCriteria& query, const Demographics& candidate);

// The best degree over a person's identities (0 for none).
int match_degree(const SearchCriteria& query, const std::vector<IdentityRecord>& members);

}  // namespace hareyaka::pix
