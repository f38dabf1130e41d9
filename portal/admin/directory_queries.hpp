// The directory reads and edits the admin console needs beyond hpd::DirectoryStore: prefix
// search of facilities and users (indexes in portal/admin/sql/), users listed with their
// facility's name, and editing a user's display name and profession.
#pragma once

#include <optional>
#include <string>

#include "common/pg.hpp"
#include "hpd/page.hpp"
#include "hpd/user.hpp"
#include "portal/admin/admin_common.hpp"

namespace hareyaka::admin {

// Facilities in OID order; q matches a prefix of the kanji or kana name or of the OID.
hpd::Page<json> search_facilities(pg::Pool& pool, const std::optional<std::string>& q,
                                  const hpd::PageRequest& page);
// Users in id order, optionally of one facility; q matches a prefix of the login id or name.
hpd::Page<json> search_users(pg::Pool& pool, const std::optional<std::string>& facility_oid,
                             const std::optional<std::string>& q, const hpd::PageRequest& page);
// One user as the console shows it (no credentials); std::nullopt when unknown.
std::optional<json> user_json(pg::Pool& pool, const std::string& login_id);
// Changes display name and/or profession; false when the login id is unknown.
bool update_user_profile(pg::Pool& pool, const std::string& login_id,
                         const std::optional<std::string>& display_name,
                         const std::optional<hpd::Profession>& profession);

}  // namespace hareyaka::admin
