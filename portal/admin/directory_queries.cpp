#include "portal/admin/directory_queries.hpp"

#include "common/error.hpp"
#include "hpd/oid.hpp"
#include "hpd/sql_null.hpp"

namespace hareyaka::admin {
namespace {

#define HY_ADMIN_FACILITY                                                                         \
  "oid, name_kanji, name_kana, name_en, kind, municipality_code, discloses, views, gateway_url, " \
  "gateway_cert_sha256, status, postal_code, address, phone"
#define HY_ADMIN_USER                                                                         \
  "u.id, u.login_id, u.display_name, u.profession, u.facility_oid, "                          \
  "coalesce(f.name_kanji, ''), u.status, u.totp_secret <> '', u.hpki_issuer, u.hpki_serial, " \
  "u.hpki_subject, u.failed_attempts, hy_us(u.locked_until)"

constexpr pg::Statement kSearchFacilities{
    "admin_search_facilities",
    "SELECT " HY_ADMIN_FACILITY
    " FROM facilities WHERE oid > $1 AND ($2::text IS NULL OR name_kanji LIKE $2 "
    "OR name_kana LIKE $2 OR oid LIKE $2) ORDER BY oid LIMIT $3"};
constexpr pg::Statement kSearchUsers{
    "admin_search_users",
    "SELECT " HY_ADMIN_USER
    " FROM users u LEFT JOIN facilities f ON f.oid = u.facility_oid WHERE u.id > $1 "
    "AND ($2::text IS NULL OR u.facility_oid = $2) "
    "AND ($3::text IS NULL OR u.login_id LIKE $3 OR u.display_name LIKE $3) "
    "ORDER BY u.id LIMIT $4"};
constexpr pg::Statement kUserByLogin{"admin_user_by_login",
                                     "SELECT " HY_ADMIN_USER
                                     " FROM users u LEFT JOIN facilities f ON f.oid = "
                                     "u.facility_oid WHERE u.login_id = $1"};
constexpr pg::Statement kUpdateProfile{
    "admin_update_user_profile",
    "UPDATE users SET display_name = coalesce($2, display_name), "
    "profession = coalesce($3, profession) WHERE login_id = $1"};

json facility_row(const pqxx::row& r) {
  json f{{"oid", r[0].as<std::string>()},         {"name", r[1].as<std::string>()},
         {"name_kana", r[2].as<std::string>()},   {"name_en", r[3].as<std::string>()},
         {"kind", r[4].as<std::string>()},        {"municipality", r[5].as<std::string>()},
         {"discloses", r[6].as<bool>()},          {"views", r[7].as<bool>()},
         {"gateway_url", r[8].as<std::string>()}, {"gateway_cert_sha256", r[9].as<std::string>()},
         {"status", r[10].as<std::string>()},     {"postal_code", r[11].as<std::string>()},
         {"address", r[12].as<std::string>()},    {"phone", r[13].as<std::string>()}};
  return f;
}

json user_row(const pqxx::row& r) {
  json u{{"login_id", r[1].as<std::string>()},
         {"display_name", r[2].as<std::string>()},
         {"profession", r[3].as<std::string>()},
         {"facility_oid", r[4].as<std::string>()},
         {"facility_name", r[5].as<std::string>()},
         {"status", r[6].as<std::string>()},
         {"totp_enrolled", r[7].as<bool>()},
         {"hpki_bound", !r[9].as<std::string>().empty() || !r[10].as<std::string>().empty()},
         {"failed_attempts", r[11].as<int>()}};
  if (!r[9].as<std::string>().empty()) {
    u["hpki_issuer"] = r[8].as<std::string>();
    u["hpki_serial"] = r[9].as<std::string>();
  }
  if (!r[10].as<std::string>().empty())
    u["hpki_subject"] = r[10].as<std::string>();
  if (!r[12].is_null()) {
    const auto until = hpd::from_us(r[12].as<std::int64_t>());
    if (until > hpd::Clock::now())
      u["locked_until"] = iso_time(until);
  }
  return u;
}

std::optional<std::string> like(const std::optional<std::string>& q) {
  if (!q)
    return std::nullopt;
  return like_prefix(*q);
}

}  // namespace

hpd::Page<json> search_facilities(pg::Pool& pool, const std::optional<std::string>& q,
                                  const hpd::PageRequest& page) {
  const int limit = page.clamped_limit();
  std::string after;
  if (!page.after.empty())
    after = hpd::decode_pair_cursor(page.after).first;
  const auto pattern = like(q);
  return pg::transact(pool, [&](pg::Tx& tx) {
    hpd::Page<json> out;
    auto rows = tx.exec(kSearchFacilities, after, hpd::or_null(pattern), limit);
    for (const auto& r : rows)
      out.items.push_back(facility_row(r));
    if (static_cast<int>(rows.size()) == limit)
      out.next = hpd::encode_pair_cursor(out.items.back()["oid"].get<std::string>(), "f");
    return out;
  });
}

hpd::Page<json> search_users(pg::Pool& pool, const std::optional<std::string>& facility_oid,
                             const std::optional<std::string>& q, const hpd::PageRequest& page) {
  const int limit = page.clamped_limit();
  const long long after = page.after.empty() ? 0 : hpd::decode_int_cursor(page.after);
  const auto pattern = like(q);
  return pg::transact(pool, [&](pg::Tx& tx) {
    hpd::Page<json> out;
    auto rows =
        tx.exec(kSearchUsers, after, hpd::or_null(facility_oid), hpd::or_null(pattern), limit);
    for (const auto& r : rows)
      out.items.push_back(user_row(r));
    if (static_cast<int>(rows.size()) == limit)
      out.next = hpd::encode_int_cursor(rows[rows.size() - 1][0].as<long long>());
    return out;
  });
}

std::optional<json> user_json(pg::Pool& pool, const std::string& login_id) {
  return pg::transact(pool, [&](pg::Tx& tx) -> std::optional<json> {
    auto rows = tx.exec(kUserByLogin, login_id);
    if (rows.empty())
      return std::nullopt;
    return user_row(rows[0]);
  });
}

bool update_user_profile(pg::Pool& pool, const std::string& login_id,
                         const std::optional<std::string>& display_name,
                         const std::optional<hpd::Profession>& profession) {
  std::optional<std::string> prof;
  if (profession)
    prof = std::string(hpd::to_string(*profession));
  return pg::transact(pool, [&](pg::Tx& tx) {
    return tx.exec(kUpdateProfile, login_id, hpd::or_null(display_name), hpd::or_null(prof))
               .affected_rows() > 0;
  });
}

}  // namespace hareyaka::admin
