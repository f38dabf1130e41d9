// The ITI-46 notification outbox and the PDQ continuation state.
#include <algorithm>

#include "pix/pg_identity_sql.hpp"
#include "pix/pg_identity_store.hpp"

namespace hareyaka::pix {
namespace {

using namespace sql;

constexpr pg::Statement kClaim{
    "pix_outbox_claim",
    "UPDATE pix_notification_outbox SET attempts = attempts + 1, "
    "next_attempt_at = now() + $2 * interval '1 second' "
    "WHERE id IN (SELECT id FROM pix_notification_outbox WHERE status = 'pending' "
    "AND next_attempt_at <= now() ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED) "
    "RETURNING id, consumer, person_id, change_seq, attempts"};

// Completes the row only if no change arrived while the notification was in flight;
// otherwise the row stays pending (already due again) and the newer state is sent next.
constexpr pg::Statement kDelivered{
    "pix_outbox_delivered",
    "UPDATE pix_notification_outbox SET status = 'delivered', delivered_at = now(), "
    "last_error = '' WHERE id = $1 AND change_seq = $2 AND status = 'pending'"};

constexpr pg::Statement kFailed{
    "pix_outbox_failed",
    "UPDATE pix_notification_outbox SET last_error = left($4, 500), next_attempt_at = now() + "
    "least($3::float8, $2::float8 * power(2, greatest(attempts - 1, 0))) * interval '1 second' "
    "WHERE id = $1 AND status = 'pending'"};

constexpr pg::Statement kSaveQuery{
    "pdq_save_query",
    "INSERT INTO pdq_query_state (sender, query_root, query_extension, person_ids, position, "
    "query_by_parameter, scoping, expires_at) VALUES ($1, $2, $3, $4::bigint[], $5, $6, "
    "$7::text[], now() + $8 * interval '1 second') "
    "ON CONFLICT (sender, query_root, query_extension) DO UPDATE SET person_ids = "
    "EXCLUDED.person_ids, position = EXCLUDED.position, query_by_parameter = "
    "EXCLUDED.query_by_parameter, scoping = EXCLUDED.scoping, expires_at = EXCLUDED.expires_at"};

constexpr pg::Statement kPurgeQueries{
    "pdq_purge_queries",
    "DELETE FROM pdq_query_state WHERE ctid IN (SELECT ctid FROM pdq_query_state "
    "WHERE expires_at < now() LIMIT 100)"};

constexpr pg::Statement kLoadQuery{
    "pdq_load_query",
    "SELECT person_ids, position, query_by_parameter, scoping FROM pdq_query_state "
    "WHERE sender = $1 AND query_root = $2 AND query_extension = $3 AND expires_at >= now()"};

constexpr pg::Statement kDeleteQuery{
    "pdq_delete_query",
    "DELETE FROM pdq_query_state WHERE sender = $1 AND query_root = $2 AND query_extension = $3"};

}  // namespace

std::vector<Notification> PgIdentityStore::claim_due_notifications(int limit,
                                                                   std::chrono::seconds lease) {
  limit = std::clamp(limit, 1, 1000);
  return pg::transact(pool_, [&](pg::Tx& tx) {
    std::vector<Notification> out;
    for (const auto& r : tx.exec(kClaim, limit, static_cast<int>(lease.count()))) {
      out.push_back({r[0].as<std::int64_t>(), r[1].as<std::string>(), r[2].as<std::int64_t>(),
                     r[3].as<int>(), r[4].as<int>()});
    }
    return out;
  });
}

void PgIdentityStore::mark_delivered(const Notification& n) {
  pg::transact(pool_, [&](pg::Tx& tx) { tx.exec(kDelivered, n.id, n.change_seq); });
}

void PgIdentityStore::mark_failed(const Notification& n, const std::string& error) {
  pg::transact(pool_, [&](pg::Tx& tx) {
    tx.exec(kFailed, n.id, static_cast<double>(settings_.retry_base.count()),
            static_cast<double>(settings_.retry_max.count()), error);
  });
}

void PgIdentityStore::save_query(const PdqState& s, std::chrono::seconds ttl) {
  std::string ids = "{";
  for (std::size_t i = 0; i < s.person_ids.size(); ++i) {
    ids += (i ? "," : "") + std::to_string(s.person_ids[i]);
  }
  ids += "}";
  pg::transact(pool_, [&](pg::Tx& tx) {
    tx.exec(kPurgeQueries);
    tx.exec(kSaveQuery, s.sender, s.query_root, s.query_extension, ids, s.position,
            s.query_by_parameter, text_array(s.scoping), static_cast<int>(ttl.count()));
  });
}

std::optional<PdqState> PgIdentityStore::load_query(const std::string& sender,
                                                    const std::string& root,
                                                    const std::string& extension) {
  return pg::transact(pool_, [&](pg::Tx& tx) -> std::optional<PdqState> {
    auto rows = tx.exec(kLoadQuery, sender, root, extension);
    if (rows.empty())
      return std::nullopt;
    PdqState s;
    s.sender = sender;
    s.query_root = root;
    s.query_extension = extension;
    s.person_ids = parse_bigint_array(rows[0][0].as<std::string>());
    s.position = rows[0][1].as<int>();
    s.query_by_parameter = rows[0][2].as<std::string>();
    s.scoping = parse_text_array(rows[0][3].as<std::string>());
    return s;
  });
}

void PgIdentityStore::delete_query(const std::string& sender, const std::string& root,
                                   const std::string& extension) {
  pg::transact(pool_, [&](pg::Tx& tx) { tx.exec(kDeleteQuery, sender, root, extension); });
}

}  // namespace hareyaka::pix
