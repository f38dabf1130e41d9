#include "portal/hpd_feed/directory_reader.hpp"

#include "hpd/pg_directory_store.hpp"

namespace hareyaka::hpd_feed {
namespace {

constexpr pg::Statement kUser{
    "feed_public_user",
    "SELECT id, facility_oid, profession, login_id, display_name, hpki_issuer, hpki_serial, "
    "hpki_subject, status FROM users WHERE login_id = $1"};
constexpr pg::Statement kChanges{"feed_changes_since",
                                 "SELECT version, entity, entity_key, op FROM directory_changes "
                                 "WHERE version > $1 ORDER BY version LIMIT $2"};
constexpr pg::Statement kVersion{"feed_current_version",
                                 "SELECT coalesce(max(version), 0) FROM directory_changes"};

}  // namespace

std::optional<hpd::Facility> public_facility(pg::Tx& tx, const std::string& oid) {
  auto f = hpd::find_facility(tx, oid);
  if (f)
    f->gateway_cert_sha256.clear();  // the node registration stays with the portal
  return f;
}

std::optional<hpd::User> public_user(pg::Tx& tx, const std::string& login_id) {
  auto res = tx.exec(kUser, login_id);
  if (res.empty())
    return std::nullopt;
  const auto& r = res[0];
  hpd::User u;
  u.id = r[0].as<std::int64_t>();
  u.facility_oid = r[1].as<std::string>();
  u.profession = hpd::parse_profession(r[2].as<std::string>()).value_or(hpd::Profession::kClerk);
  u.login_id = r[3].as<std::string>();
  u.display_name = r[4].as<std::string>();
  u.hpki.issuer = r[5].as<std::string>();
  u.hpki.serial = r[6].as<std::string>();
  u.hpki.subject = r[7].as<std::string>();
  u.status = hpd::parse_user_status(r[8].as<std::string>()).value_or(hpd::UserStatus::kLocked);
  return u;
}

std::vector<DirectoryChange> changes_since(pg::Tx& tx, std::int64_t since, int limit) {
  std::vector<DirectoryChange> out;
  for (const auto& r : tx.exec(kChanges, since, limit)) {
    DirectoryChange c;
    c.version = r[0].as<std::int64_t>();
    c.entity = parse_feed_entity(r[1].as<std::string>()).value_or(FeedEntity::kFacility);
    c.key = r[2].as<std::string>();
    c.op = parse_feed_op(r[3].as<std::string>()).value_or(FeedOp::kModify);
    out.push_back(std::move(c));
  }
  return out;
}

std::int64_t current_version(pg::Tx& tx) {
  return tx.exec(kVersion)[0][0].as<std::int64_t>();
}

}  // namespace hareyaka::hpd_feed
