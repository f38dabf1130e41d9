// The entry a DN names, as a base-object search and a compare find it: under the portal's own
// base DN first the facility, user or facility group of the directory view (hpd_directory_view;
// an unbound one), then the hpd_entries row.
#pragma once

#include <optional>
#include <vector>

#include "common/pg.hpp"
#include "hpd/dsml/dn.hpp"
#include "hpd/dsml/dsml.hpp"
#include "hpd/hpd_mapping.hpp"

namespace hareyaka::hpd {

// The entry at `dn`; std::nullopt when there is none, also when `dn` is not the position of an
// entry (outside the suffixes, a suffix, a container or below an entry). suffixes.front() is
// the portal's own base DN.
std::optional<dsml::Entry> find_base_entry(pg::Tx& tx, const DitSettings& dit,
                                           const std::vector<dsml::Dn>& suffixes,
                                           const dsml::Dn& dn);

}  // namespace hareyaka::hpd
