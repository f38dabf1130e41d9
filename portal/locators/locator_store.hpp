// The portal's locator entries (see sql/0001_locators.sql) in PostgreSQL: the writes the
// gateways make through the node listener, the pages their resynchronisation compares, and
// the lookups the viewer makes for a person's identities.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/pg.hpp"

namespace hareyaka::portal {

struct LocatorKey {
  std::string facility_oid;
  std::string authority;
  std::string local_id;
};

enum class LocatorPut { kCreated, kUpdated, kUnchanged, kStale };

struct LocatorPutOutcome {
  LocatorPut result = LocatorPut::kUnchanged;
  std::string stored_last_change;  // kStale: the newer change time the portal keeps
};

struct LocatorDigest {
  std::string local_id;
  std::string digest;
  std::string last_change;  // "YYYY-MM-DDTHH:MM:SS.mmmZ"
};

struct Locator {
  std::string facility_oid;
  std::string authority;
  std::string local_id;
  nlohmann::json content;
  std::string last_change;
};

class LocatorStore {
 public:
  explicit LocatorStore(pg::Pool& pool) : pool_(pool) {}

  // Idempotent: the same digest is a no-op; an older last_change never overwrites a newer.
  LocatorPutOutcome put(const LocatorKey& key, const std::string& digest,
                        const std::string& last_change, const nlohmann::json& content);
  bool remove(const LocatorKey& key);
  // The facility's entries ordered by local id, after `after` (exclusive).
  std::vector<LocatorDigest> page(const std::string& facility_oid, const std::string& authority,
                                  const std::string& after, int limit);
  // Whether PIX knows this identity (a locator needs the ITI-44 feed first).
  bool identity_known(const std::string& authority, const std::string& local_id);
  // The entries of these identities (authority, local id) that exist.
  std::vector<Locator> for_identities(
      const std::vector<std::pair<std::string, std::string>>& identities);

 private:
  pg::Pool& pool_;
};

}  // namespace hareyaka::portal
