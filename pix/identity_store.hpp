// The identity cross-reference as the rest of the portal sees it: register what sources
// feed, link/unlink/merge by hand with a reason, answer "who else is this person", search
// demographics, keep the review queue, the ITI-46 notification outbox and PDQ continuation
// state. PgIdentityStore is the PostgreSQL implementation.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pix/matcher.hpp"

namespace hareyaka::pix {

struct IdentityKey {
  std::string authority;  // assigning authority OID
  std::string local_id;
  bool operator==(const IdentityKey&) const = default;
};

// Who did a manual change and why (recorded in the link history).
struct Actor {
  std::string who;
  std::string reason;
};

struct IdentityRecord {
  IdentityKey key;
  std::int64_t person_id = 0;
  bool merged = false;  // subsumed by a merge; merged_into names the survivor
  std::optional<IdentityKey> merged_into;
  Demographics demographics;
  std::string link_origin;  // new, auto, manual, source, merge
  std::optional<double> link_score;
};

enum class FeedOutcome {
  kCreated,     // a new person
  kAutoLinked,  // joined an existing person automatically
  kUpdated,     // a known identity's demographics revised
};

struct FeedResult {
  std::int64_t person_id = 0;
  FeedOutcome outcome = FeedOutcome::kCreated;
  std::optional<double> score;  // when auto-linked
  int review_items = 0;         // possible matches queued for review
};

struct ReviewItem {
  std::int64_t id = 0;
  IdentityKey identity;
  IdentityKey candidate;
  double score = 0;
  std::string cause;  // score, same_authority, ambiguous
};

struct LinkChange {
  std::string action;
  std::optional<std::int64_t> from_person;
  std::int64_t to_person = 0;
  std::optional<double> score;
  std::string actor;
  std::string reason;
  std::string at;  // ISO timestamp
};

// PDQ search criteria, already normalised by the caller's choice of fields.
struct SearchCriteria {
  std::string family;  // kana or kanji/alphabetic, "*"-suffix for a prefix search
  std::string given;
  std::string birth_date;  // YYYYMMDD, YYYYMM or YYYY
  char sex = 'U';
  std::vector<IdentityKey> ids;
  std::string phone;
};

// A pending ITI-46 notification claimed for delivery.
struct Notification {
  std::int64_t id = 0;
  std::string consumer;
  std::int64_t person_id = 0;
  int change_seq = 0;
  int attempts = 0;
};

struct PdqState {
  std::string sender, query_root, query_extension;
  std::vector<std::int64_t> person_ids;
  int position = 0;
  std::string query_by_parameter;
  std::vector<std::string> scoping;
};

class IdentityStore {
 public:
  virtual ~IdentityStore() = default;

  // ITI-44 add or revise. keys[0] is the identity fed; further keys are identifiers the
  // same message asserts for the same patient (joined to its person). A new identity is
  // matched; a revised one is matched again only while it is alone in its person.
  virtual FeedResult register_identity(const std::vector<IdentityKey>& keys,
                                       const Demographics& d) = 0;
  // ITI-44 merge and the manual merge: `subsumed` is retired into `survivor`'s person,
  // taking the identities linked to it along. Returns the survivor's person.
  virtual std::int64_t merge(const IdentityKey& survivor, const IdentityKey& subsumed,
                             const Actor& actor) = 0;
  // Manual link: moves `identity` into the person of `into`.
  virtual std::int64_t link(const IdentityKey& identity, const IdentityKey& into,
                            const Actor& actor) = 0;
  // Manual unlink: `identity` leaves its person for a new one. Returns the new person.
  virtual std::int64_t unlink(const IdentityKey& identity, const Actor& actor) = 0;

  virtual std::optional<IdentityRecord> find(const IdentityKey& key) = 0;
  // ITI-45 in one round trip: the active identities of the person `key` belongs to (itself
  // included), at most `limit`; empty optional when `key` is unknown.
  virtual std::optional<std::vector<IdentityKey>> cross_references(const IdentityKey& key,
                                                                   int limit) = 0;
  // Active identities of a person, at most `limit`.
  virtual std::vector<IdentityRecord> members(std::int64_t person_id, int limit) = 0;
  virtual bool domain_known(const std::string& authority) = 0;
  virtual void register_domain(const std::string& authority, const std::string& name) = 0;

  virtual std::vector<ReviewItem> open_reviews(std::int64_t after_id, int limit) = 0;
  // link=true links the pair (as a manual link), false dismisses it.
  virtual void resolve_review(std::int64_t id, bool link, const Actor& actor) = 0;
  virtual std::vector<LinkChange> history(const IdentityKey& key, int limit) = 0;

  // Person ids matching the criteria, best first, at most `limit`.
  virtual std::vector<std::int64_t> search(const SearchCriteria& c, int limit) = 0;

  // Outbox for ITI-46: claim due rows (hidden from other claimers for `lease`), then report.
  virtual std::vector<Notification> claim_due_notifications(int limit,
                                                            std::chrono::seconds lease) = 0;
  virtual void mark_delivered(const Notification& n) = 0;
  // Schedules a retry with exponential backoff (capped); notifications are never dropped.
  virtual void mark_failed(const Notification& n, const std::string& error) = 0;

  virtual void save_query(const PdqState& s, std::chrono::seconds ttl) = 0;
  virtual std::optional<PdqState> load_query(const std::string& sender, const std::string& root,
                                             const std::string& extension) = 0;
  virtual void delete_query(const std::string& sender, const std::string& root,
                            const std::string& extension) = 0;
};

}  // namespace hareyaka::pix
