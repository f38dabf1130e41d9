// The connected systems the secretariat feeds (ITI-59) and the state of their outboxes, on
// PostgreSQL (portal/hpd_feed/sql/). The outbox rows themselves are written by the
// directory's triggers, in the transaction of each change; this unit reads and manages them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/pg.hpp"
#include "hpd/page.hpp"
#include "hpd/time.hpp"

namespace hareyaka::hpd_feed {

struct ConnectedSystem {
  std::int64_t id = 0;
  std::string name;
  std::string url;  // https://host:port/path of the peer's ITI-59 endpoint
  bool enabled = true;
};

// What the admin console shows for one system.
struct DeliveryState {
  ConnectedSystem system;
  std::int64_t pending = 0;
  std::optional<hpd::TimePoint> oldest_pending;
  std::optional<hpd::TimePoint> last_success;
  std::optional<hpd::TimePoint> last_error_at;
  std::string last_error;
  int failures = 0;  // consecutive failed attempts
  std::optional<hpd::TimePoint> next_attempt;
  std::int64_t rejected = 0;  // changes the system refused for good, set aside
  std::optional<hpd::TimePoint> newest_rejected;
};

// A change a connected system refused with a permanent DSML resultCode, moved out of its
// outbox (hpd_feed_rejected).
struct RejectedChange {
  std::int64_t id = 0;
  std::int64_t system_id = 0;
  std::int64_t version = 0;
  std::string entity;  // facility | user
  std::string key;     // facility OID or user login id
  std::string op;      // the operation sent: add | modify | delete
  int result_code = 0;
  std::string message;  // the peer's errorMessage, if any
  hpd::TimePoint rejected_at{};
};

// A name of 1..100 characters and an https:// URL; kUnprocessable naming the field otherwise.
void validate(const ConnectedSystem& s);

// At most this many systems (the console lists them all).
constexpr int kMaxConnectedSystems = 100;

class FeedStore {
 public:
  explicit FeedStore(pg::Pool& pool) : pool_(pool) {}

  // kConflict for a duplicate name, kUnprocessable when invalid or too many.
  ConnectedSystem create(const ConnectedSystem& s);
  // kNotFound when unknown. Re-enabling makes the system due at once.
  ConnectedSystem update(const ConnectedSystem& s);
  // Drops the system and its pending changes; false when unknown.
  bool remove(std::int64_t id);
  std::optional<DeliveryState> state(std::int64_t id);
  std::vector<DeliveryState> states();
  // Makes a waiting system due now (the console's "retry now").
  bool retry_now(std::int64_t id);
  // Queues every facility and then every user for the system as an add (the initial load of
  // a system added later, or a repair); the system answers entryAlreadyExists for what it
  // has, which the sender turns into a modify. Returns how many changes were queued;
  // std::nullopt when the system is unknown.
  std::optional<std::int64_t> resync(std::int64_t id);

  // The system's rejected changes, newest first; std::nullopt when the system is unknown.
  std::optional<hpd::Page<RejectedChange>> rejected(std::int64_t system,
                                                    const hpd::PageRequest& page);
  // Puts a rejected change back into the system's outbox as a fresh change of the entity
  // (an add or modify when it exists now, a delete when it is gone) and drops it from the
  // rejected list; the system is due at once. std::nullopt when there is no such rejected
  // change of that system.
  std::optional<RejectedChange> requeue(std::int64_t system, std::int64_t rejected_id);
  // Drops a rejected change (the secretariat has dealt with it); std::nullopt when unknown.
  std::optional<RejectedChange> dismiss(std::int64_t system, std::int64_t rejected_id);

 private:
  pg::Pool& pool_;
};

}  // namespace hareyaka::hpd_feed
