// The portal's own facilities and users as HPD entries at read time: ITI-58 searches under the
// portal's base DN also find the facilities and users registered in the admin console (or by
// CSV import, or at bootstrap) that no ITI-59 entry is bound to, mapped by facility_to_entry /
// user_to_entry. Nothing is copied, so the directory and its HPD view never disagree.
// Each facility also has a relationship group cn=<facility OID>,ou=Relationship (unless one was
// fed) whose owner is the facility and whose members are its users (at most 1000, retired
// ones left out). Secretariat administrators are not healthcare providers and are not listed.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/pg.hpp"
#include "hpd/dsml/dsml.hpp"
#include "hpd/hpd_mapping.hpp"
#include "hpd/hpd_schema.hpp"

namespace hareyaka::hpd::view {

struct ViewPage {
  std::vector<dsml::Entry> entries;
  std::string next;  // keyset cursor; empty at the end
};

// Facilities (kOrganization), users (kProfessional) or facility groups (kRelationship) not
// bound to an hpd_entries row, in key order after `after`.
ViewPage scan(pg::Tx& tx, const DitSettings& dit, EntryKind kind, const std::string& after,
              int limit);
// The one with this naming value (facility OID or login id; the facility OID of a group).
std::optional<dsml::Entry> find(pg::Tx& tx, const DitSettings& dit, EntryKind kind,
                                const std::string& uid);

}  // namespace hareyaka::hpd::view
