#include "portal/hpd_feed/feed_store.hpp"

#include <cstdint>

#include "common/error.hpp"

namespace hareyaka::hpd_feed {
namespace {

#define HY_STATE_COLUMNS                                                                      \
  "s.id, s.name, s.url, s.enabled, s.failures, hy_us(s.next_attempt_at), "                    \
  "hy_us(s.last_success_at), s.last_error, hy_us(s.last_error_at), "                          \
  "(SELECT count(*) FROM hpd_feed_outbox o WHERE o.system_id = s.id), "                       \
  "(SELECT hy_us(min(o.enqueued_at)) FROM (SELECT enqueued_at FROM hpd_feed_outbox o2 WHERE " \
  "o2.system_id = s.id ORDER BY o2.id LIMIT 1) o), "                                          \
  "(SELECT count(*) FROM hpd_feed_rejected j WHERE j.system_id = s.id), "                     \
  "(SELECT hy_us(max(j.rejected_at)) FROM hpd_feed_rejected j WHERE j.system_id = s.id)"
#define HY_REJECTED_COLUMNS \
  "id, system_id, version, entity, entity_key, op, result_code, message, hy_us(rejected_at)"

constexpr pg::Statement kCount{"feed_count_systems", "SELECT count(*) FROM hpd_connected_systems"};
constexpr pg::Statement kInsert{
    "feed_insert_system",
    "INSERT INTO hpd_connected_systems (name, url, enabled) VALUES ($1, $2, $3) RETURNING id"};
constexpr pg::Statement kUpdate{
    "feed_update_system",
    "UPDATE hpd_connected_systems SET name = $2, url = $3, enabled = $4, "
    "next_attempt_at = CASE WHEN $4 AND NOT enabled THEN now() ELSE next_attempt_at END "
    "WHERE id = $1"};
constexpr pg::Statement kDelete{"feed_delete_system",
                                "DELETE FROM hpd_connected_systems WHERE id = $1"};
constexpr pg::Statement kRetryNow{
    "feed_retry_now", "UPDATE hpd_connected_systems SET next_attempt_at = now() WHERE id = $1"};
constexpr pg::Statement kLockSystem{
    "feed_lock_system", "SELECT id FROM hpd_connected_systems WHERE id = $1 FOR NO KEY UPDATE"};
// Facilities before users (a user's organization first), each in key order.
constexpr pg::Statement kResyncFacilities{
    "feed_resync_facilities",
    "INSERT INTO hpd_feed_outbox (system_id, version, entity, entity_key, op) "
    "SELECT $1, (SELECT coalesce(max(version), 0) FROM directory_changes), 'facility', oid, 'add' "
    "FROM facilities ORDER BY oid"};
constexpr pg::Statement kResyncUsers{
    "feed_resync_users",
    "INSERT INTO hpd_feed_outbox (system_id, version, entity, entity_key, op) "
    "SELECT $1, (SELECT coalesce(max(version), 0) FROM directory_changes), 'user', login_id, "
    "'add' FROM users ORDER BY id"};
constexpr pg::Statement kState{"feed_system_state",
                               "SELECT " HY_STATE_COLUMNS
                               " FROM hpd_connected_systems s WHERE s.id = $1"};
constexpr pg::Statement kStates{"feed_system_states",
                                "SELECT " HY_STATE_COLUMNS
                                " FROM hpd_connected_systems s ORDER BY s.name LIMIT 100"};

constexpr pg::Statement kSystemExists{"feed_system_exists",
                                      "SELECT 1 FROM hpd_connected_systems WHERE id = $1"};
constexpr pg::Statement kRejected{
    "feed_rejected_page",
    "SELECT " HY_REJECTED_COLUMNS
    " FROM hpd_feed_rejected WHERE system_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3"};
constexpr pg::Statement kTakeRejected{"feed_take_rejected",
                                      "DELETE FROM hpd_feed_rejected WHERE system_id = $1 AND id = "
                                      "$2 RETURNING " HY_REJECTED_COLUMNS};
// A fresh change of the entity at the directory's version: what it is now decides the op.
constexpr pg::Statement kRequeue{
    "feed_requeue_rejected",
    "INSERT INTO hpd_feed_outbox (system_id, version, entity, entity_key, op) "
    "SELECT $1::bigint, (SELECT coalesce(max(version), 0) FROM directory_changes), $2::text, "
    "$3::text, CASE WHEN NOT (CASE WHEN $2::text = 'facility' THEN EXISTS (SELECT 1 FROM "
    "facilities WHERE oid = $3::text) ELSE EXISTS (SELECT 1 FROM users WHERE login_id = "
    "$3::text) END) THEN 'delete' WHEN $4::text = 'delete' THEN 'add' ELSE $4::text END"};

std::optional<hpd::TimePoint> time_of(const pqxx::field& f) {
  if (f.is_null())
    return std::nullopt;
  return hpd::from_us(f.as<std::int64_t>());
}

DeliveryState state_of(const pqxx::row& r) {
  DeliveryState d;
  d.system.id = r[0].as<std::int64_t>();
  d.system.name = r[1].as<std::string>();
  d.system.url = r[2].as<std::string>();
  d.system.enabled = r[3].as<bool>();
  d.failures = r[4].as<int>();
  d.next_attempt = time_of(r[5]);
  d.last_success = time_of(r[6]);
  d.last_error = r[7].as<std::string>();
  d.last_error_at = time_of(r[8]);
  d.pending = r[9].as<std::int64_t>();
  d.oldest_pending = time_of(r[10]);
  d.rejected = r[11].as<std::int64_t>();
  d.newest_rejected = time_of(r[12]);
  return d;
}

RejectedChange rejected_of(const pqxx::row& r) {
  RejectedChange c;
  c.id = r[0].as<std::int64_t>();
  c.system_id = r[1].as<std::int64_t>();
  c.version = r[2].as<std::int64_t>();
  c.entity = r[3].as<std::string>();
  c.key = r[4].as<std::string>();
  c.op = r[5].as<std::string>();
  c.result_code = r[6].as<int>();
  c.message = r[7].as<std::string>();
  c.rejected_at = hpd::from_us(r[8].as<std::int64_t>());
  return c;
}

}  // namespace

void validate(const ConnectedSystem& s) {
  if (s.name.empty() || s.name.size() > 100)
    throw Error(ErrorCode::kUnprocessable, "name: 1 to 100 characters");
  if (s.url.rfind("https://", 0) != 0 || s.url.size() <= 8 || s.url.size() > 2000)
    throw Error(ErrorCode::kUnprocessable, "url: must be an https:// URL (mutual TLS)");
}

ConnectedSystem FeedStore::create(const ConnectedSystem& s) {
  validate(s);
  return pg::transact(pool_, [&](pg::Tx& tx) {
    if (tx.exec(kCount)[0][0].as<int>() >= kMaxConnectedSystems) {
      throw Error(ErrorCode::kUnprocessable,
                  "at most " + std::to_string(kMaxConnectedSystems) + " connected systems");
    }
    ConnectedSystem out = s;
    out.id = tx.exec(kInsert, s.name, s.url, s.enabled)[0][0].as<std::int64_t>();
    return out;
  });
}

ConnectedSystem FeedStore::update(const ConnectedSystem& s) {
  validate(s);
  pg::transact(pool_, [&](pg::Tx& tx) {
    if (tx.exec(kUpdate, s.id, s.name, s.url, s.enabled).affected_rows() == 0)
      throw Error(ErrorCode::kNotFound, "no such connected system");
  });
  return s;
}

bool FeedStore::remove(std::int64_t id) {
  return pg::transact(pool_, [&](pg::Tx& tx) { return tx.exec(kDelete, id).affected_rows() > 0; });
}

bool FeedStore::retry_now(std::int64_t id) {
  return pg::transact(pool_,
                      [&](pg::Tx& tx) { return tx.exec(kRetryNow, id).affected_rows() > 0; });
}

std::optional<std::int64_t> FeedStore::resync(std::int64_t id) {
  return pg::transact(pool_, [&](pg::Tx& tx) -> std::optional<std::int64_t> {
    if (tx.exec(kLockSystem, id).empty())
      return std::nullopt;
    const auto facilities = tx.exec(kResyncFacilities, id).affected_rows();
    const auto users = tx.exec(kResyncUsers, id).affected_rows();
    return static_cast<std::int64_t>(facilities + users);
  });
}

std::optional<hpd::Page<RejectedChange>> FeedStore::rejected(std::int64_t system,
                                                             const hpd::PageRequest& page) {
  const std::int64_t before = page.after.empty() ? INT64_MAX : hpd::decode_int_cursor(page.after);
  const int limit = page.clamped_limit();
  return pg::transact(pool_, [&](pg::Tx& tx) -> std::optional<hpd::Page<RejectedChange>> {
    if (tx.exec(kSystemExists, system).empty())
      return std::nullopt;
    hpd::Page<RejectedChange> out;
    for (const auto& r : tx.exec(kRejected, system, before, limit))
      out.items.push_back(rejected_of(r));
    if (static_cast<int>(out.items.size()) == limit)
      out.next = hpd::encode_int_cursor(out.items.back().id);
    return out;
  });
}

std::optional<RejectedChange> FeedStore::requeue(std::int64_t system, std::int64_t rejected_id) {
  return pg::transact(pool_, [&](pg::Tx& tx) -> std::optional<RejectedChange> {
    if (tx.exec(kLockSystem, system).empty())
      return std::nullopt;
    auto r = tx.exec(kTakeRejected, system, rejected_id);
    if (r.empty())
      return std::nullopt;
    auto c = rejected_of(r[0]);
    tx.exec(kRequeue, system, c.entity, c.key, c.op);
    tx.exec(kRetryNow, system);
    return c;
  });
}

std::optional<RejectedChange> FeedStore::dismiss(std::int64_t system, std::int64_t rejected_id) {
  return pg::transact(pool_, [&](pg::Tx& tx) -> std::optional<RejectedChange> {
    auto r = tx.exec(kTakeRejected, system, rejected_id);
    if (r.empty())
      return std::nullopt;
    return rejected_of(r[0]);
  });
}

std::optional<DeliveryState> FeedStore::state(std::int64_t id) {
  return pg::transact(pool_, [&](pg::Tx& tx) -> std::optional<DeliveryState> {
    auto r = tx.exec(kState, id);
    if (r.empty())
      return std::nullopt;
    return state_of(r[0]);
  });
}

std::vector<DeliveryState> FeedStore::states() {
  return pg::transact(pool_, [&](pg::Tx& tx) {
    std::vector<DeliveryState> out;
    for (const auto& r : tx.exec(kStates))
      out.push_back(state_of(r));
    return out;
  });
}

}  // namespace hareyaka::hpd_feed
