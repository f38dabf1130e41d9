#include "hpd/hpd_directory_view.hpp"

namespace hareyaka::hpd::view {
namespace {

#define HY_VIEW_FACILITY                                              \
  "SELECT f.oid, f.name_kanji, f.name_kana, f.name_en, f.kind, "      \
  "f.municipality_code, f.status FROM facilities f WHERE NOT EXISTS " \
  "(SELECT 1 FROM hpd_entries e WHERE e.facility_oid = f.oid) "
#define HY_VIEW_USER                                                     \
  "SELECT u.login_id, u.facility_oid, u.profession, u.display_name, "    \
  "u.hpki_issuer, u.hpki_serial, u.hpki_subject, u.status FROM users u " \
  "WHERE u.profession <> 'secretariat_admin' AND NOT EXISTS "            \
  "(SELECT 1 FROM hpd_entries e WHERE e.login_id = u.login_id) "

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

}  // namespace

ViewPage scan(pg::Tx& tx, const DitSettings& dit, EntryKind kind, const std::string& after,
              int limit) {
  ViewPage page;
  if (kind == EntryKind::kRelationship)
    return page;
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
  if (kind == EntryKind::kRelationship)
    return std::nullopt;
  const bool org = kind == EntryKind::kOrganization;
  auto rows = tx.exec(org ? kFindFacility : kFindUser, uid);
  if (rows.empty())
    return std::nullopt;
  return org ? facility_entry(dit, rows[0]) : user_entry(dit, rows[0]);
}

}  // namespace hareyaka::hpd::view
