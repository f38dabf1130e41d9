#include "portal/locators/locator_store.hpp"

#include "pix/pg_identity_sql.hpp"

namespace hareyaka::portal {
namespace {

// Times go out as "YYYY-MM-DDTHH:MM:SS.mmmZ", the format the gateways send.

constexpr pg::Statement kUpsert{
    "locators_upsert",
    "INSERT INTO locators (facility_oid, authority, local_id, digest, last_change, content) "
    "VALUES ($1, $2, $3, $4, $5::timestamptz, $6::jsonb) "
    "ON CONFLICT (facility_oid, authority, local_id) DO UPDATE SET "
    "  digest = EXCLUDED.digest, last_change = EXCLUDED.last_change, "
    "  content = EXCLUDED.content, received_at = now() "
    "WHERE locators.digest <> EXCLUDED.digest AND locators.last_change <= EXCLUDED.last_change "
    "RETURNING (xmax = 0) AS inserted"};
constexpr pg::Statement kCurrent{"locators_current",
                                 "SELECT digest, to_char(last_change AT TIME ZONE 'UTC', "
                                 "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') FROM locators "
                                 "WHERE facility_oid = $1 AND authority = $2 AND local_id = $3"};
constexpr pg::Statement kDelete{
    "locators_delete",
    "DELETE FROM locators WHERE facility_oid = $1 AND authority = $2 AND local_id = $3"};
constexpr pg::Statement kPage{"locators_page",
                              "SELECT local_id, digest, to_char(last_change AT TIME ZONE 'UTC', "
                              "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') "
                              "FROM locators "
                              "WHERE facility_oid = $1 AND authority = $2 AND local_id > $3 "
                              "ORDER BY local_id LIMIT $4"};
constexpr pg::Statement kKnown{
    "locators_identity_known",
    "SELECT 1 FROM pix_identities WHERE authority = $1 AND local_id = $2"};
// The person's identities as two arrays (authorities, local ids): one statement per view.
constexpr pg::Statement kByIdentities{
    "locators_by_identities",
    "SELECT l.facility_oid, l.authority, l.local_id, l.content::text, "
    "to_char(l.last_change AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') "
    "FROM unnest($1::text[], $2::text[]) AS i(authority, local_id) "
    "JOIN locators l ON l.authority = i.authority AND l.local_id = i.local_id"};

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
  return pg::read(pool_, [&](pg::Tx& tx) {
    std::vector<LocatorDigest> out;
    for (const auto& row : tx.exec(kPage, facility_oid, authority, after, limit)) {
      out.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>()});
    }
    return out;
  });
}

bool LocatorStore::identity_known(const std::string& authority, const std::string& local_id) {
  return pg::read(pool_, [&](pg::Tx& tx) { return !tx.exec(kKnown, authority, local_id).empty(); });
}

std::vector<Locator> LocatorStore::for_identities(
    const std::vector<std::pair<std::string, std::string>>& identities) {
  if (identities.empty())
    return {};
  std::vector<std::string> authorities, local_ids;
  for (const auto& [authority, local_id] : identities) {
    authorities.push_back(authority);
    local_ids.push_back(local_id);
  }
  return pg::read(pool_, [&](pg::Tx& tx) {
    std::vector<Locator> out;
    for (const auto& row : tx.exec(kByIdentities, pix::sql::text_array(authorities),
                                   pix::sql::text_array(local_ids))) {
      out.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
                     nlohmann::json::parse(row[3].as<std::string>()), row[4].as<std::string>()});
    }
    return out;
  });
}

}  // namespace hareyaka::portal
