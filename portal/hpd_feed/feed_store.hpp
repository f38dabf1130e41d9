// The connected systems the secretariat feeds (ITI-59) and the state of their outboxes, on
// PostgreSQL (portal/hpd_feed/sql/). The outbox rows themselves are written by the
// directory's triggers, in the transaction of each change; this unit reads and manages them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/pg.hpp"
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

 private:
  pg::Pool& pool_;
};

}  // namespace hareyaka::hpd_feed
