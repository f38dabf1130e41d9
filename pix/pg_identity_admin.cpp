// Manual link, unlink, merge (also the ITI-44 merge), the review queue and link history.
#include <algorithm>

#include "common/error.hpp"
#include "pix/pg_identity_sql.hpp"
#include "pix/pg_identity_store.hpp"

namespace hareyaka::pix {
namespace {

using namespace sql;

constexpr pg::Statement kLockPersons{
    "pix_lock_persons",
    "SELECT id FROM pix_persons WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE"};

constexpr pg::Statement kMoveAllMembers{
    "pix_move_all_members",
    "UPDATE pix_identities SET person_id = $2, link_origin = 'merge', link_score = NULL, "
    "linked_by = $3, link_reason = $4, linked_at = now(), updated_at = now() "
    "WHERE person_id = $1 AND status = 'active' AND NOT (authority = $5 AND local_id = $6) "
    "RETURNING authority, local_id"};

constexpr pg::Statement kRetire{
    "pix_retire_identity",
    "UPDATE pix_identities SET status = 'merged', person_id = $3, merged_into_authority = $4, "
    "merged_into_local_id = $5, link_origin = 'merge', linked_by = $6, link_reason = $7, "
    "linked_at = now(), updated_at = now() WHERE authority = $1 AND local_id = $2"};

constexpr pg::Statement kReviewForUpdate{
    "pix_review_for_update",
    "SELECT authority, local_id, candidate_authority, candidate_local_id, status "
    "FROM pix_review_queue WHERE id = $1 FOR UPDATE"};

constexpr pg::Statement kResolveReview{
    "pix_resolve_review",
    "UPDATE pix_review_queue SET status = $2, resolved_at = now(), resolved_by = $3, "
    "resolution_reason = $4 WHERE id = $1"};

constexpr pg::Statement kOpenReviews{
    "pix_open_reviews",
    "SELECT id, authority, local_id, candidate_authority, candidate_local_id, score, cause "
    "FROM pix_review_queue WHERE status = 'open' AND id > $1 ORDER BY id LIMIT $2"};

constexpr pg::Statement kHistoryOf{
    "pix_history_of",
    "SELECT action, from_person, to_person, score, actor, reason, "
    "to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') "
    "FROM pix_link_history WHERE authority = $1 AND local_id = $2 ORDER BY at DESC, id DESC LIMIT "
    "$3"};

IdentityRecord require_identity(pg::Tx& tx, const IdentityKey& k) {
  auto rows = tx.exec(kFindForUpdate, k.authority, k.local_id);
  if (rows.empty())
    throw Error(ErrorCode::kNotFound, "unknown patient identifier");
  return to_record(rows[0]);
}

void lock_persons(pg::Tx& tx, std::int64_t a, std::int64_t b) {
  tx.exec(kLockPersons, "{" + std::to_string(a) + "," + std::to_string(b) + "}");
}

std::int64_t do_link(pg::Tx& tx, const StoreSettings& s, const IdentityKey& identity,
                     const IdentityKey& into, const Actor& actor) {
  IdentityRecord a = require_identity(tx, identity);
  IdentityRecord b = require_identity(tx, into);
  if (a.merged || b.merged)
    throw Error(ErrorCode::kConflict, "identity was merged away");
  if (a.person_id == b.person_id)
    return b.person_id;
  lock_persons(tx, a.person_id, b.person_id);
  tx.exec(kMoveIdentity, identity.authority, identity.local_id, b.person_id, std::string("manual"),
          Nullable().get(), actor.who, actor.reason);
  record_change(tx, identity, "link", a.person_id, b.person_id, std::nullopt, actor.who,
                actor.reason);
  notify(tx, s.notification_consumers, a.person_id);
  notify(tx, s.notification_consumers, b.person_id);
  return b.person_id;
}

}  // namespace

std::int64_t PgIdentityStore::link(const IdentityKey& identity, const IdentityKey& into,
                                   const Actor& actor) {
  return pg::transact(pool_,
                      [&](pg::Tx& tx) { return do_link(tx, settings_, identity, into, actor); });
}

std::int64_t PgIdentityStore::unlink(const IdentityKey& identity, const Actor& actor) {
  return pg::transact(pool_, [&](pg::Tx& tx) {
    IdentityRecord a = require_identity(tx, identity);
    if (a.merged)
      throw Error(ErrorCode::kConflict, "identity was merged away");
    const std::int64_t person = tx.exec(kNewPerson)[0][0].as<std::int64_t>();
    lock_persons(tx, a.person_id, person);
    tx.exec(kMoveIdentity, identity.authority, identity.local_id, person, std::string("manual"),
            Nullable().get(), actor.who, actor.reason);
    record_change(tx, identity, "unlink", a.person_id, person, std::nullopt, actor.who,
                  actor.reason);
    notify(tx, settings_.notification_consumers, a.person_id);
    notify(tx, settings_.notification_consumers, person);
    return person;
  });
}

std::int64_t PgIdentityStore::merge(const IdentityKey& survivor, const IdentityKey& subsumed,
                                    const Actor& actor) {
  if (survivor == subsumed)
    throw Error(ErrorCode::kBadRequest, "an identity cannot subsume itself");
  return pg::transact(pool_, [&](pg::Tx& tx) {
    IdentityRecord s = require_identity(tx, survivor);
    auto rows = tx.exec(kFindForUpdate, subsumed.authority, subsumed.local_id);
    if (rows.empty())
      return s.person_id;  // nothing known under the old id: nothing to move
    IdentityRecord p = to_record(rows[0]);
    if (p.merged)
      return s.person_id;  // merged before (a repeated message)
    lock_persons(tx, s.person_id, p.person_id);
    if (p.person_id != s.person_id) {
      // Whatever was linked to the subsumed identity is the survivor's patient too.
      for (const auto& r : tx.exec(kMoveAllMembers, p.person_id, s.person_id, actor.who,
                                   actor.reason, subsumed.authority, subsumed.local_id)) {
        record_change(tx, {r[0].as<std::string>(), r[1].as<std::string>()}, "merge", p.person_id,
                      s.person_id, std::nullopt, actor.who, actor.reason);
      }
    }
    tx.exec(kRetire, subsumed.authority, subsumed.local_id, s.person_id, survivor.authority,
            survivor.local_id, actor.who, actor.reason);
    record_change(tx, subsumed, "merged_away", p.person_id, s.person_id, std::nullopt, actor.who,
                  actor.reason);
    notify(tx, settings_.notification_consumers, s.person_id);
    if (p.person_id != s.person_id)
      notify(tx, settings_.notification_consumers, p.person_id);
    return s.person_id;
  });
}

std::vector<ReviewItem> PgIdentityStore::open_reviews(std::int64_t after_id, int limit) {
  limit = std::clamp(limit, 1, 1000);
  return pg::transact(pool_, [&](pg::Tx& tx) {
    std::vector<ReviewItem> out;
    for (const auto& r : tx.exec(kOpenReviews, after_id, limit)) {
      out.push_back({r[0].as<std::int64_t>(),
                     {r[1].as<std::string>(), r[2].as<std::string>()},
                     {r[3].as<std::string>(), r[4].as<std::string>()},
                     r[5].as<double>(),
                     r[6].as<std::string>()});
    }
    return out;
  });
}

void PgIdentityStore::resolve_review(std::int64_t id, bool link, const Actor& actor) {
  pg::transact(pool_, [&](pg::Tx& tx) {
    auto rows = tx.exec(kReviewForUpdate, id);
    if (rows.empty())
      throw Error(ErrorCode::kNotFound, "unknown review item");
    if (rows[0][4].as<std::string>() != "open") {
      throw Error(ErrorCode::kConflict, "review item already resolved");
    }
    if (link) {
      do_link(tx, settings_, {rows[0][0].as<std::string>(), rows[0][1].as<std::string>()},
              {rows[0][2].as<std::string>(), rows[0][3].as<std::string>()}, actor);
    }
    tx.exec(kResolveReview, id, std::string(link ? "linked" : "dismissed"), actor.who,
            actor.reason);
  });
}

std::vector<LinkChange> PgIdentityStore::history(const IdentityKey& key, int limit) {
  limit = std::clamp(limit, 1, 1000);
  return pg::transact(pool_, [&](pg::Tx& tx) {
    std::vector<LinkChange> out;
    for (const auto& r : tx.exec(kHistoryOf, key.authority, key.local_id, limit)) {
      LinkChange c;
      c.action = r[0].as<std::string>();
      if (!r[1].is_null())
        c.from_person = r[1].as<std::int64_t>();
      c.to_person = r[2].as<std::int64_t>();
      if (!r[3].is_null())
        c.score = r[3].as<double>();
      c.actor = r[4].as<std::string>();
      c.reason = r[5].as<std::string>();
      c.at = r[6].as<std::string>();
      out.push_back(std::move(c));
    }
    return out;
  });
}

}  // namespace hareyaka::pix
