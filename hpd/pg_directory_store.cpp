#include "hpd/pg_directory_store.hpp"

#include "common/error.hpp"
#include "hpd/sql_null.hpp"

namespace hareyaka::hpd {
namespace {

#define HY_FACILITY_COLUMNS                                                                       \
  "oid, name_kanji, name_kana, name_en, kind, municipality_code, discloses, views, gateway_url, " \
  "gateway_cert_sha256, status, postal_code, address, phone"
#define HY_USER_COLUMNS                                                                \
  "id, facility_oid, profession, login_id, display_name, password_hash, totp_secret, " \
  "totp_last_step, hpki_issuer, hpki_serial, hpki_subject, status, failed_attempts, "  \
  "hy_us(locked_until), hy_us(password_changed_at)"

constexpr pg::Statement kInsertFacility{
    "hpd_insert_facility",
    "INSERT INTO facilities (" HY_FACILITY_COLUMNS
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"};
constexpr pg::Statement kUpdateFacility{
    "hpd_update_facility",
    "UPDATE facilities SET name_kanji = $2, name_kana = $3, name_en = $4, kind = $5, "
    "municipality_code = $6, discloses = $7, views = $8, gateway_url = $9, "
    "gateway_cert_sha256 = $10, status = $11, postal_code = $12, address = $13, phone = $14, "
    "updated_at = now() WHERE oid = $1"};
constexpr pg::Statement kFindFacility{
    "hpd_find_facility", "SELECT " HY_FACILITY_COLUMNS " FROM facilities WHERE oid = $1"};
constexpr pg::Statement kListFacilities{
    "hpd_list_facilities",
    "SELECT " HY_FACILITY_COLUMNS
    " FROM facilities WHERE oid > $1 "
    "AND ($2::text IS NULL OR kind = $2) AND ($3::text IS NULL OR municipality_code = $3) "
    "AND ($4::boolean IS NULL OR discloses = $4) AND ($5::boolean IS NULL OR views = $5) "
    "ORDER BY oid LIMIT $6"};

constexpr pg::Statement kInsertUser{
    "hpd_insert_user",
    "INSERT INTO users (facility_oid, profession, login_id, display_name, password_hash, "
    "totp_secret, hpki_issuer, hpki_serial, hpki_subject, status, password_changed_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, hy_ts($11)) RETURNING id"};
constexpr pg::Statement kFindUser{"hpd_find_user",
                                  "SELECT " HY_USER_COLUMNS " FROM users WHERE id = $1"};
constexpr pg::Statement kFindUserByLogin{
    "hpd_find_user_by_login", "SELECT " HY_USER_COLUMNS " FROM users WHERE login_id = $1"};
constexpr pg::Statement kFindUserByHpkiSerial{
    "hpd_find_user_by_hpki_serial",
    "SELECT " HY_USER_COLUMNS " FROM users WHERE hpki_issuer = $1 AND hpki_serial = $2"};
constexpr pg::Statement kFindUserByHpkiSubject{
    "hpd_find_user_by_hpki_subject",
    "SELECT " HY_USER_COLUMNS " FROM users WHERE hpki_subject = $1 ORDER BY id LIMIT 2"};
constexpr pg::Statement kListUsers{
    "hpd_list_users",
    "SELECT " HY_USER_COLUMNS
    " FROM users WHERE id > $1 "
    "AND ($2::text IS NULL OR facility_oid = $2) AND ($3::text IS NULL OR profession = $3) "
    "AND ($4::text IS NULL OR status = $4) ORDER BY id LIMIT $5"};
constexpr pg::Statement kSetStatus{"hpd_set_status",
                                   "UPDATE users SET status = $2, failed_attempts = 0, "
                                   "locked_until = NULL WHERE id = $1"};
constexpr pg::Statement kSetPassword{
    "hpd_set_password",
    "UPDATE users SET password_hash = $2, password_changed_at = hy_ts($3) WHERE id = $1"};
constexpr pg::Statement kSetTotp{
    "hpd_set_totp", "UPDATE users SET totp_secret = $2, totp_last_step = NULL WHERE id = $1"};
constexpr pg::Statement kBindHpki{
    "hpd_bind_hpki",
    "UPDATE users SET hpki_issuer = $2, hpki_serial = $3, hpki_subject = $4 WHERE id = $1"};
// One statement: concurrent failures from two replicas each count.
constexpr pg::Statement kLoginFailure{
    "hpd_login_failure",
    "UPDATE users SET "
    "failed_attempts = CASE WHEN failed_attempts + 1 >= $3 THEN 0 ELSE failed_attempts + 1 END, "
    "locked_until = CASE WHEN failed_attempts + 1 >= $3 THEN hy_ts($2) + $4 * interval '1 second' "
    "ELSE locked_until END "
    "WHERE id = $1 RETURNING failed_attempts, hy_us(locked_until)"};
constexpr pg::Statement kLoginSuccess{
    "hpd_login_success", "UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE id = $1"};
constexpr pg::Statement kClaimTotpStep{
    "hpd_claim_totp_step",
    "UPDATE users SET totp_last_step = $2 WHERE id = $1 "
    "AND (totp_last_step IS NULL OR totp_last_step < $2) RETURNING id"};

template <typename E>
std::optional<std::string> opt_str(const std::optional<E>& e) {
  if (!e)
    return std::nullopt;
  return std::string(to_string(*e));
}

Facility facility_from_row(const pqxx::row& r) {
  Facility f;
  f.oid = r[0].as<std::string>();
  f.name_kanji = r[1].as<std::string>();
  f.name_kana = r[2].as<std::string>();
  f.name_en = r[3].as<std::string>();
  f.kind = parse_facility_kind(r[4].as<std::string>()).value_or(FacilityKind::kClinic);
  f.municipality_code = r[5].as<std::string>();
  f.discloses = r[6].as<bool>();
  f.views = r[7].as<bool>();
  f.gateway_url = r[8].as<std::string>();
  f.gateway_cert_sha256 = r[9].as<std::string>();
  // The CHECK constraint admits only known values; an unknown one would be a schema drift,
  // and the safe reading of it is "not active".
  f.status = parse_facility_status(r[10].as<std::string>()).value_or(FacilityStatus::kSuspended);
  f.postal_code = r[11].as<std::string>();
  f.address = r[12].as<std::string>();
  f.phone = r[13].as<std::string>();
  return f;
}

User user_from_row(const pqxx::row& r) {
  User u;
  u.id = r[0].as<std::int64_t>();
  u.facility_oid = r[1].as<std::string>();
  u.profession = parse_profession(r[2].as<std::string>()).value_or(Profession::kClerk);
  u.login_id = r[3].as<std::string>();
  u.display_name = r[4].as<std::string>();
  u.password_hash = r[5].as<std::string>();
  u.totp_secret = r[6].as<std::string>();
  if (!r[7].is_null())
    u.totp_last_step = r[7].as<std::int64_t>();
  u.hpki.issuer = r[8].as<std::string>();
  u.hpki.serial = r[9].as<std::string>();
  u.hpki.subject = r[10].as<std::string>();
  u.status = parse_user_status(r[11].as<std::string>()).value_or(UserStatus::kLocked);
  u.failed_attempts = r[12].as<int>();
  if (!r[13].is_null())
    u.locked_until = from_us(r[13].as<std::int64_t>());
  if (!r[14].is_null())
    u.password_changed_at = from_us(r[14].as<std::int64_t>());
  return u;
}

std::optional<User> one_user(const pqxx::result& res) {
  if (res.empty())
    return std::nullopt;
  return user_from_row(res[0]);
}

void require_one(const pqxx::result& res, const char* what) {
  if (res.affected_rows() == 0) {
    throw Error(ErrorCode::kNotFound, std::string(what) + " not found",
                std::string(what) + " not found");
  }
}

}  // namespace

void PgDirectoryStore::create_facility(const Facility& f) {
  if (auto err = validate(f, root_)) {
    throw Error(ErrorCode::kUnprocessable, "facility " + *err, "facility invalid: " + *err);
  }
  pg::transact(pool_, [&](pg::Tx& tx) { hpd::insert_facility(tx, f); });
}

void PgDirectoryStore::update_facility(const Facility& f) {
  if (auto err = validate(f, root_)) {
    throw Error(ErrorCode::kUnprocessable, "facility " + *err, "facility invalid: " + *err);
  }
  pg::transact(pool_, [&](pg::Tx& tx) { require_one(hpd::update_facility(tx, f), "facility"); });
}

// Single-statement reads run without BEGIN/COMMIT (two round trips fewer; every view
// reads the caller's user and facility and each source facility).
void insert_facility(pg::Tx& tx, const Facility& f) {
  tx.exec(kInsertFacility, f.oid, f.name_kanji, f.name_kana, f.name_en,
          std::string(to_string(f.kind)), f.municipality_code, f.discloses, f.views, f.gateway_url,
          f.gateway_cert_sha256, std::string(to_string(f.status)), f.postal_code, f.address,
          f.phone);
}

pqxx::result update_facility(pg::Tx& tx, const Facility& f) {
  return tx.exec(kUpdateFacility, f.oid, f.name_kanji, f.name_kana, f.name_en,
                 std::string(to_string(f.kind)), f.municipality_code, f.discloses, f.views,
                 f.gateway_url, f.gateway_cert_sha256, std::string(to_string(f.status)),
                 f.postal_code, f.address, f.phone);
}

std::optional<Facility> find_facility(pg::Tx& tx, const std::string& oid) {
  auto res = tx.exec(kFindFacility, oid);
  if (res.empty())
    return std::nullopt;
  return facility_from_row(res[0]);
}

std::optional<Facility> PgDirectoryStore::find_facility(const std::string& oid) {
  return pg::read(pool_, [&](pg::Tx& tx) { return hpd::find_facility(tx, oid); });
}

Page<Facility> PgDirectoryStore::list_facilities(const FacilityFilter& filter,
                                                 const PageRequest& page) {
  const int limit = page.clamped_limit();
  return pg::transact(pool_, [&](pg::Tx& tx) {
    Page<Facility> out;
    auto res = tx.exec(kListFacilities, page.after, or_null(opt_str(filter.kind)),
                       or_null(filter.municipality_code), or_null(text_of(filter.discloses)),
                       or_null(text_of(filter.views)), limit);
    for (const auto& r : res)
      out.items.push_back(facility_from_row(r));
    if (static_cast<int>(out.items.size()) == limit)
      out.next = out.items.back().oid;
    return out;
  });
}

std::int64_t PgDirectoryStore::create_user(const User& u) {
  if (!is_valid_login_id(u.login_id)) {
    throw Error(ErrorCode::kUnprocessable, "login_id: 3..64 characters of A-Z a-z 0-9 . _ @ -",
                "invalid login id");
  }
  return pg::transact(pool_, [&](pg::Tx& tx) {
    if (tx.exec(kFindFacility, u.facility_oid).empty()) {
      throw Error(ErrorCode::kUnprocessable, "facility_oid: unknown facility",
                  "user for unknown facility");
    }
    std::optional<std::int64_t> changed;
    if (!u.password_hash.empty()) {
      changed = to_us(u.password_changed_at.value_or(Clock::now()));
    }
    return tx
        .exec(kInsertUser, u.facility_oid, std::string(to_string(u.profession)), u.login_id,
              u.display_name, u.password_hash, u.totp_secret, u.hpki.issuer, u.hpki.serial,
              u.hpki.subject, std::string(to_string(u.status)), or_null(text_of(changed)))[0][0]
        .as<std::int64_t>();
  });
}

std::optional<User> PgDirectoryStore::find_user(std::int64_t id) {
  return pg::transact(pool_, [&](pg::Tx& tx) { return one_user(tx.exec(kFindUser, id)); },
                      {.isolation = pg::Isolation::kAutocommit});
}

std::optional<User> PgDirectoryStore::find_user_by_login(const std::string& login_id) {
  return pg::transact(pool_,
                      [&](pg::Tx& tx) { return one_user(tx.exec(kFindUserByLogin, login_id)); });
}

std::optional<User> PgDirectoryStore::find_user_by_hpki(const std::string& issuer,
                                                        const std::string& serial,
                                                        const std::string& subject) {
  return pg::transact(pool_, [&](pg::Tx& tx) -> std::optional<User> {
    if (!serial.empty()) {
      if (auto u = one_user(tx.exec(kFindUserByHpkiSerial, issuer, serial)))
        return u;
    }
    if (subject.empty())
      return std::nullopt;
    auto res = tx.exec(kFindUserByHpkiSubject, subject);
    // A subject bound to two users is ambiguous: refuse rather than guess.
    if (res.size() != 1)
      return std::nullopt;
    return user_from_row(res[0]);
  });
}

Page<User> PgDirectoryStore::list_users(const UserFilter& filter, const PageRequest& page) {
  const int limit = page.clamped_limit();
  const long long after = page.after.empty() ? 0 : decode_int_cursor(page.after);
  return pg::transact(pool_, [&](pg::Tx& tx) {
    Page<User> out;
    auto res = tx.exec(kListUsers, after, or_null(filter.facility_oid),
                       or_null(opt_str(filter.profession)), or_null(opt_str(filter.status)), limit);
    for (const auto& r : res)
      out.items.push_back(user_from_row(r));
    if (static_cast<int>(out.items.size()) == limit) {
      out.next = encode_int_cursor(out.items.back().id);
    }
    return out;
  });
}

void PgDirectoryStore::set_status(std::int64_t user_id, UserStatus status) {
  pg::transact(pool_, [&](pg::Tx& tx) {
    require_one(tx.exec(kSetStatus, user_id, std::string(to_string(status))), "user");
  });
}

void PgDirectoryStore::set_password_hash(std::int64_t user_id, const std::string& hash,
                                         TimePoint now) {
  pg::transact(pool_, [&](pg::Tx& tx) {
    require_one(tx.exec(kSetPassword, user_id, hash, to_us(now)), "user");
  });
}

void PgDirectoryStore::set_totp_secret(std::int64_t user_id, const std::string& secret) {
  pg::transact(pool_, [&](pg::Tx& tx) { require_one(tx.exec(kSetTotp, user_id, secret), "user"); });
}

void PgDirectoryStore::bind_hpki(std::int64_t user_id, const HpkiBinding& b) {
  pg::transact(pool_, [&](pg::Tx& tx) {
    require_one(tx.exec(kBindHpki, user_id, b.issuer, b.serial, b.subject), "user");
  });
}

LockState PgDirectoryStore::record_login_failure(std::int64_t user_id, TimePoint now,
                                                 int max_failures, std::chrono::seconds lock_for) {
  return pg::transact(pool_, [&](pg::Tx& tx) {
    auto res = tx.exec(kLoginFailure, user_id, to_us(now), max_failures,
                       static_cast<long long>(lock_for.count()));
    LockState s;
    if (res.empty())
      return s;
    s.failed_attempts = res[0][0].as<int>();
    if (!res[0][1].is_null())
      s.locked_until = from_us(res[0][1].as<std::int64_t>());
    return s;
  });
}

void PgDirectoryStore::record_login_success(std::int64_t user_id) {
  pg::transact(pool_, [&](pg::Tx& tx) { tx.exec(kLoginSuccess, user_id); });
}

bool PgDirectoryStore::claim_totp_step(std::int64_t user_id, std::int64_t step) {
  return pg::transact(pool_,
                      [&](pg::Tx& tx) { return !tx.exec(kClaimTotpStep, user_id, step).empty(); });
}

}  // namespace hareyaka::hpd
