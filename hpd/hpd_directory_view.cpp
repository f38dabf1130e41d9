#include "hpd/hpd_directory_view.hpp"

#include "hpd/dsml/dn.hpp"

namespace hareyaka::hpd::view {
namespace {

#define HY_VIEW_FACILITY                                                                \
  "SELECT f.oid, f.name_kanji, f.name_kana, f.name_en, f.kind, "                        \
  "f.municipality_code, f.status, f.postal_code, f.address, f.phone FROM facilities f " \
  "WHERE NOT EXISTS "                                                                   \
  "(SELECT 1 FROM hpd_entries e WHERE e.facility_oid = f.oid) "
// The console-only professions (hpd::is_console_only) are not providers: never listed.
#define HY_CONSOLE_ONLY "('secretariat_admin', 'prefecture_officer', 'data_manager')"
#define HY_VIEW_USER                                                     \
  "SELECT u.login_id, u.facility_oid, u.profession, u.display_name, "    \
  "u.hpki_issuer, u.hpki_serial, u.hpki_subject, u.status FROM users u " \
  "WHERE u.profession NOT IN " HY_CONSOLE_ONLY                           \
  " AND NOT EXISTS "                                                     \
  "(SELECT 1 FROM hpd_entries e WHERE e.login_id = u.login_id) "

// Relationship groups: one per facility that has no fed group entry at cn=<OID> ($1 is the
// normalized "ou=relationship,<base>"); the owner is the facility's fed entry when there is
// one.
#define HY_VIEW_GROUP                                                                       \
  "SELECT f.oid, o.dn FROM facilities f LEFT JOIN hpd_entries o ON o.facility_oid = f.oid " \
  "WHERE NOT EXISTS (SELECT 1 FROM hpd_entries g WHERE g.dn_norm = 'cn=' || lower(f.oid) "  \
  "|| ',' || $1) "
constexpr pg::Statement kScanGroups{"hpd_view_scan_groups",
                                    HY_VIEW_GROUP "AND f.oid > $2 ORDER BY f.oid LIMIT $3"};
constexpr pg::Statement kFindGroup{"hpd_view_find_group", HY_VIEW_GROUP "AND f.oid = $2"};
constexpr pg::Statement kMembers{
    "hpd_view_members",
    "SELECT u.login_id, e.dn FROM users u LEFT JOIN hpd_entries e ON e.login_id = u.login_id "
    "WHERE u.facility_oid = $1 AND u.profession NOT IN " HY_CONSOLE_ONLY
    " "
    "AND u.status <> 'retired' "
    "ORDER BY u.login_id LIMIT $2"};
constexpr int kMaxMembers = 1000;

constexpr pg::Statement kScanFacilities{"hpd_view_scan_facilities",
                                        HY_VIEW_FACILITY "AND f.oid > $1 ORDER BY f.oid LIMIT $2"};
constexpr pg::Statement kFindFacility{"hpd_view_find_facility", HY_VIEW_FACILITY "AND f.oid = $1"};
constexpr pg::Statement kScanUsers{"hpd_view_scan_users",
                                   HY_VIEW_USER "AND u.login_id > $1 ORDER BY u.login_id LIMIT $2"};
constexpr pg::Statement kFindUser{"hpd_view_find_user", HY_VIEW_USER "AND u.login_id = $1"};

dsml::Entry facility_entry(const DitSettings& dit, const pqxx::row& r) {
  Facility f;
  f.oid = r[0].as<std::string>();
  f.name_kanji = r[1].as<std::string>();
  f.name_kana = r[2].as<std::string>();
  f.name_en = r[3].as<std::string>();
  f.kind = parse_facility_kind(r[4].as<std::string>()).value_or(FacilityKind::kClinic);
  f.municipality_code = r[5].as<std::string>();
  f.status = parse_facility_status(r[6].as<std::string>()).value_or(FacilityStatus::kActive);
  f.postal_code = r[7].as<std::string>();
  f.address = r[8].as<std::string>();
  f.phone = r[9].as<std::string>();
  return facility_to_entry(dit, f);
}

dsml::Entry user_entry(const DitSettings& dit, const pqxx::row& r) {
  User u;
  u.login_id = r[0].as<std::string>();
  u.facility_oid = r[1].as<std::string>();
  u.profession = parse_profession(r[2].as<std::string>()).value_or(Profession::kClerk);
  u.display_name = r[3].as<std::string>();
  u.hpki = {r[4].as<std::string>(), r[5].as<std::string>(), r[6].as<std::string>()};
  u.status = parse_user_status(r[7].as<std::string>()).value_or(UserStatus::kActive);
  return user_to_entry(dit, u);
}

std::string relationship_parent(const DitSettings& dit) {
  return dsml::parse_dn("ou=Relationship," + dit.base_dn)->normalized();
}

dsml::Entry group_entry(pg::Tx& tx, const DitSettings& dit, const pqxx::row& r) {
  const auto oid = r[0].as<std::string>();
  auto e = relationship_to_entry(dit, oid, {});
  if (!r[1].is_null())
    e.find("owner")->values = {r[1].as<std::string>()};
  std::vector<std::string> members;
  for (const auto& m : tx.exec(kMembers, oid, kMaxMembers))
    members.push_back(m[1].is_null() ? user_dn(dit, m[0].as<std::string>())
                                     : m[1].as<std::string>());
  if (!members.empty())
    e.add("member", members);
  return e;
}

}  // namespace

ViewPage scan(pg::Tx& tx, const DitSettings& dit, EntryKind kind, const std::string& after,
              int limit) {
  ViewPage page;
  if (kind == EntryKind::kRelationship) {
    auto rows = tx.exec(kScanGroups, relationship_parent(dit), after, limit);
    for (const auto& r : rows)
      page.entries.push_back(group_entry(tx, dit, r));
    if (static_cast<int>(rows.size()) == limit)
      page.next = rows[rows.size() - 1][0].as<std::string>();
    return page;
  }
  const bool org = kind == EntryKind::kOrganization;
  auto rows = tx.exec(org ? kScanFacilities : kScanUsers, after, limit);
  for (const auto& r : rows)
    page.entries.push_back(org ? facility_entry(dit, r) : user_entry(dit, r));
  if (static_cast<int>(rows.size()) == limit)
    page.next = rows[rows.size() - 1][0].as<std::string>();
  return page;
}

std::optional<dsml::Entry> find(pg::Tx& tx, const DitSettings& dit, EntryKind kind,
                                const std::string& uid) {
  if (kind == EntryKind::kRelationship) {
    auto rows = tx.exec(kFindGroup, relationship_parent(dit), uid);
    if (rows.empty())
      return std::nullopt;
    return group_entry(tx, dit, rows[0]);
  }
  const bool org = kind == EntryKind::kOrganization;
  auto rows = tx.exec(org ? kFindFacility : kFindUser, uid);
  if (rows.empty())
    return std::nullopt;
  return org ? facility_entry(dit, rows[0]) : user_entry(dit, rows[0]);
}

}  // namespace hareyaka::hpd::view
