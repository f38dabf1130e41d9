#include "portal/locators/locator_store.hpp"

namespace hareyaka::portal {
namespace {

#define HAREYAKA_ISO_UTC(col) \
  "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

constexpr pg::Statement kUpsert{
    "locators_upsert",
    "INSERT INTO locators (facility_oid, authority, local_id, digest, last_change, content) "
    "VALUES ($1, $2, $3, $4, $5::timestamptz, $6::jsonb) "
    "ON CONFLICT (facility_oid, authority, local_id) DO UPDATE SET "
    "  digest = EXCLUDED.digest, last_change = EXCLUDED.last_change, "
    "  content = EXCLUDED.content, received_at = now() "
    "WHERE locators.digest <> EXCLUDED.digest AND locators.last_change <= EXCLUDED.last_change "
    "RETURNING (xmax = 0) AS inserted"};
constexpr pg::Statement kCurrent{
    "locators_current",
    "SELECT digest, " HAREYAKA_ISO_UTC("last_change") " FROM locators "
    "WHERE facility_oid = $1 AND authority = $2 AND local_id = $3"};
constexpr pg::Statement kDelete{
    "locators_delete",
    "DELETE FROM locators WHERE facility_oid = $1 AND authority = $2 AND local_id = $3"};
constexpr pg::Statement kPage{
    "locators_page",
    "SELECT local_id, digest, " HAREYAKA_ISO_UTC("last_change") " FROM locators "
    "WHERE facility_oid = $1 AND authority = $2 AND local_id > $3 "
    "ORDER BY local_id LIMIT $4"};
constexpr pg::Statement kKnown{
    "locators_identity_known",
    "SELECT 1 FROM pix_identities WHERE authority = $1 AND local_id = $2"};
constexpr pg::Statement kByIdentity{
    "locators_by_identity",
    "SELECT facility_oid, content::text, " HAREYAKA_ISO_UTC("last_change") " FROM locators "
    "WHERE authority = $1 AND local_id = $2"};

#undef HAREYAKA_ISO_UTC

}  // namespace

LocatorPutOutcome LocatorStore::put(const LocatorKey& key, const std::string& digest,
                                    const std::string& last_change, const nlohmann::json& content) {
  return pg::transact(pool_, [&](pg::Tx& tx) {
    auto r = tx.exec(kUpsert, key.facility_oid, key.authority, key.local_id, digest, last_change,
                     content.dump());
    if (!r.empty())
      return LocatorPutOutcome{r[0][0].as<bool>() ? LocatorPut::kCreated : LocatorPut::kUpdated};
    auto cur = tx.exec(kCurrent, key.facility_oid, key.authority, key.local_id);
    if (cur.empty() || cur[0][0].as<std::string>() == digest)
      return LocatorPutOutcome{LocatorPut::kUnchanged};
    return LocatorPutOutcome{LocatorPut::kStale, cur[0][1].as<std::string>()};
  });
}

bool LocatorStore::remove(const LocatorKey& key) {
  return pg::transact(pool_, [&](pg::Tx& tx) {
    return tx.exec(kDelete, key.facility_oid, key.authority, key.local_id).affected_rows() > 0;
  });
}

std::vector<LocatorDigest> LocatorStore::page(const std::string& facility_oid,
                                              const std::string& authority,
                                              const std::string& after, int limit) {
  return pg::transact(pool_, [&](pg::Tx& tx) {
    std::vector<LocatorDigest> out;
    for (const auto& row : tx.exec(kPage, facility_oid, authority, after, limit)) {
      out.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>()});
    }
    return out;
  });
}

bool LocatorStore::identity_known(const std::string& authority, const std::string& local_id) {
  return pg::transact(pool_,
                      [&](pg::Tx& tx) { return !tx.exec(kKnown, authority, local_id).empty(); });
}

std::vector<Locator> LocatorStore::for_identities(
    const std::vector<std::pair<std::string, std::string>>& identities) {
  return pg::transact(pool_, [&](pg::Tx& tx) {
    std::vector<Locator> out;
    for (const auto& [authority, local_id] : identities) {
      for (const auto& row : tx.exec(kByIdentity, authority, local_id)) {
        out.push_back({row[0].as<std::string>(), authority, local_id,
                       nlohmann::json::parse(row[1].as<std::string>()), row[2].as<std::string>()});
      }
    }
    return out;
  });
}

}  // namespace hareyaka::portal
