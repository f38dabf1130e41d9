// PostgreSQL implementation of IdentityStore (schema in pix/sql). Every method is one unit
// of work (pg::transact). Concurrent feeds that could match each other serialise on
// transaction-level advisory locks over their blocking keys, so two facilities feeding
// the same person at the same instant still end up in one person.
#pragma once

#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include "common/migrations.hpp"
#include "common/pg.hpp"
#include "pix/identity_store.hpp"

namespace hareyaka::pix {

// The pix schema migrations (pix/sql), compiled in.
const std::vector<pg::Migration>& migrations();

struct StoreSettings {
  MatchSettings match;
  std::vector<std::string> notification_consumers;  // ITI-46 consumer names (configured)
  std::chrono::seconds retry_base{10};
  std::chrono::seconds retry_max{3600};
};

class PgIdentityStore : public IdentityStore {
 public:
  PgIdentityStore(pg::Pool& pool, StoreSettings settings);

  FeedResult register_identity(const std::vector<IdentityKey>& keys,
                               const Demographics& d) override;
  std::int64_t merge(const IdentityKey& survivor, const IdentityKey& subsumed,
                     const Actor& actor) override;
  std::int64_t link(const IdentityKey& identity, const IdentityKey& into,
                    const Actor& actor) override;
  std::int64_t unlink(const IdentityKey& identity, const Actor& actor) override;

  std::optional<IdentityRecord> find(const IdentityKey& key) override;
  std::optional<std::vector<IdentityKey>> cross_references(const IdentityKey& key,
                                                           int limit) override;
  std::vector<IdentityRecord> members(std::int64_t person_id, int limit) override;
  bool domain_known(const std::string& authority) override;
  void register_domain(const std::string& authority, const std::string& name) override;

  std::vector<ReviewItem> open_reviews(std::int64_t after_id, int limit) override;
  void resolve_review(std::int64_t id, bool link, const Actor& actor) override;
  std::vector<LinkChange> history(const IdentityKey& key, int limit) override;

  std::vector<std::int64_t> search(const SearchCriteria& c, int limit) override;

  std::vector<Notification> claim_due_notifications(int limit, std::chrono::seconds lease) override;
  void mark_delivered(const Notification& n) override;
  void mark_failed(const Notification& n, const std::string& error) override;

  void save_query(const PdqState& s, std::chrono::seconds ttl) override;
  std::optional<PdqState> load_query(const std::string& sender, const std::string& root,
                                     const std::string& extension) override;
  void delete_query(const std::string& sender, const std::string& root,
                    const std::string& extension) override;

  const StoreSettings& settings() const { return settings_; }

 private:
  // Domains never disappear, so a process-local cache of the known ones is always right
  // (a miss just asks the database).
  bool domain_cached(const std::string& authority);

  pg::Pool& pool_;
  StoreSettings settings_;
  std::mutex domains_mutex_;
  std::unordered_set<std::string> known_domains_;
};

}  // namespace hareyaka::pix
