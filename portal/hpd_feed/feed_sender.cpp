#include "portal/hpd_feed/feed_sender.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <cstdio>

#include "common/error.hpp"
#include "common/log.hpp"
#include "portal/hpd_feed/directory_reader.hpp"

namespace hareyaka::hpd_feed {
namespace {

constexpr pg::Statement kClaim{
    "feed_claim_system",
    "SELECT id, name, url FROM hpd_connected_systems s WHERE enabled AND next_attempt_at <= now() "
    "AND EXISTS (SELECT 1 FROM hpd_feed_outbox o WHERE o.system_id = s.id) "
    "ORDER BY next_attempt_at LIMIT 1 FOR NO KEY UPDATE SKIP LOCKED"};
// The oldest pending rows' entities, each with all its pending rows (an entity changed 50
// times during an outage is one operation): groups in the order of their first row, the rows
// of a group in id order. The first $2 rows by id bound the work of one batch.
constexpr pg::Statement kPending{
    "feed_pending",
    "WITH head AS (SELECT entity, entity_key, min(id) AS first_id FROM "
    "(SELECT id, entity, entity_key FROM hpd_feed_outbox WHERE system_id = $1 ORDER BY id "
    "LIMIT $2) h GROUP BY entity, entity_key) "
    "SELECT o.id, o.entity, o.entity_key, o.op, o.version, head.first_id FROM hpd_feed_outbox o "
    "JOIN head ON o.entity = head.entity AND o.entity_key = head.entity_key "
    "WHERE o.system_id = $1 ORDER BY head.first_id, o.id FOR UPDATE OF o"};
constexpr pg::Statement kDelivered{"feed_delivered", "DELETE FROM hpd_feed_outbox WHERE id = $1"};
constexpr pg::Statement kRetype{"feed_retype", "UPDATE hpd_feed_outbox SET op = $2 WHERE id = $1"};
constexpr pg::Statement kAttempted{
    "feed_attempted", "UPDATE hpd_feed_outbox SET attempts = attempts + 1 WHERE id = $1"};
constexpr pg::Statement kReject{
    "feed_reject",
    "INSERT INTO hpd_feed_rejected (system_id, version, entity, entity_key, op, result_code, "
    "message) VALUES ($1, $2, $3, $4, $5, $6, $7)"};
// A rejection of an entity is superseded once a later change of it has been delivered.
constexpr pg::Statement kSuperseded{
    "feed_rejection_superseded",
    "DELETE FROM hpd_feed_rejected WHERE system_id = $1 AND entity = $2 AND entity_key = $3 "
    "AND version <= $4"};
constexpr pg::Statement kSucceeded{
    "feed_succeeded",
    "UPDATE hpd_connected_systems SET failures = 0, "
    "last_success_at = now(), next_attempt_at = now() WHERE id = $1"};
constexpr pg::Statement kFailed{
    "feed_failed",
    "UPDATE hpd_connected_systems SET failures = failures + 1, last_error = $2, "
    "last_error_at = now(), next_attempt_at = now() + "
    "least($3::bigint * power(2, least(failures, 20))::bigint, $4::bigint) "
    "* interval '1 millisecond' WHERE id = $1"};

std::string new_message_id() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1)
    throw Error(ErrorCode::kInternal, "random source failed", "RAND_bytes failed");
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  char out[64];
  std::snprintf(out, sizeof out,
                "urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
                b[13], b[14], b[15]);
  return out;
}

// DSML resultCodes (RFC 4511) that say "not now": the change is kept and sent again after
// the backoff. Every other refusal is permanent and sets the change aside.
constexpr int kDsmlOperationsError = 1;
constexpr int kDsmlTimeLimitExceeded = 3;
constexpr int kDsmlAdminLimitExceeded = 11;
constexpr int kDsmlBusy = 51;
constexpr int kDsmlUnavailable = 52;
constexpr int kDsmlOther = 80;

bool transient(int code) {
  return code == kDsmlOperationsError || code == kDsmlTimeLimitExceeded ||
         code == kDsmlAdminLimitExceeded || code == kDsmlBusy || code == kDsmlUnavailable ||
         code == kDsmlOther;
}

// One operation to send and the outbox rows its result settles.
struct Pending {
  FeedOperation op;
  std::vector<std::int64_t> rows;  // id order; rows.front() decides add or modify
  std::int64_t version = 0;        // the newest of the rows
};

// The rows of kPending as one operation per entity, with the entity's current state: delete
// when the entity's last pending change is a delete, otherwise the first row's add or modify
// (an add that is followed by modifies is still an add to a system that never had it). A
// group whose entity is gone by now without a delete among its rows needs no sending: its
// rows are returned in `obsolete`.
std::vector<Pending> load_operations(pg::Tx& tx, const pqxx::result& rows,
                                     std::vector<std::int64_t>& obsolete) {
  std::vector<Pending> groups;
  std::vector<FeedOp> last;  // of each group
  std::int64_t group_of = 0;
  for (const auto& r : rows) {
    const auto first_id = r[5].as<std::int64_t>();
    const auto op = parse_feed_op(r[3].as<std::string>()).value_or(FeedOp::kModify);
    if (groups.empty() || first_id != group_of) {
      group_of = first_id;
      Pending g;
      g.op.outbox_id = r[0].as<std::int64_t>();
      g.op.entity = parse_feed_entity(r[1].as<std::string>()).value_or(FeedEntity::kFacility);
      g.op.key = r[2].as<std::string>();
      // A first delete followed by more: the entity was deleted and made again, which is a
      // modify to a system that still has it (and becomes an add where it is missing).
      g.op.op = op == FeedOp::kDelete ? FeedOp::kModify : op;
      groups.push_back(std::move(g));
      last.push_back(op);
    }
    auto& g = groups.back();
    g.rows.push_back(r[0].as<std::int64_t>());
    g.version = std::max(g.version, r[4].as<std::int64_t>());
    last.back() = op;
  }
  for (std::size_t i = 0; i < groups.size(); ++i) {
    if (last[i] == FeedOp::kDelete)
      groups[i].op.op = FeedOp::kDelete;
  }
  std::vector<Pending> out;
  for (auto& g : groups) {
    auto& op = g.op;
    if (op.op != FeedOp::kDelete) {
      if (op.entity == FeedEntity::kFacility) {
        op.facility = public_facility(tx, op.key);
      } else {
        op.user = public_user(tx, op.key);
        if (op.user)
          op.user_facility = public_facility(tx, op.user->facility_oid);
      }
      if (!op.facility && !op.user) {
        obsolete.insert(obsolete.end(), g.rows.begin(), g.rows.end());
        continue;
      }
    }
    out.push_back(std::move(g));
  }
  return out;
}

}  // namespace

FeedSender::FeedSender(pg::Pool& pool, const FeedCodec& codec, FeedSenderSettings settings)
    : pool_(pool), codec_(codec), settings_(std::move(settings)), client_(settings_.client) {}

FeedSender::~FeedSender() {
  stop();
}

bool FeedSender::send_one_batch(int& delivered) {
  // One attempt only: the transaction holds the claim while the request is out, and a
  // retried transaction would send again.
  return pg::transact(
      pool_,
      [&](pg::Tx& tx) {
        auto claimed = tx.exec(kClaim);
        if (claimed.empty())
          return false;
        const auto id = claimed[0][0].as<std::int64_t>();
        const auto name = claimed[0][1].as<std::string>();
        const auto url = claimed[0][2].as<std::string>();
        std::vector<std::int64_t> obsolete;
        auto pending = load_operations(tx, tx.exec(kPending, id, settings_.batch), obsolete);
        for (auto row : obsolete)
          tx.exec(kDelivered, row);
        if (pending.empty()) {
          tx.exec(kSucceeded, id);
          return true;
        }
        std::vector<FeedOperation> ops;
        ops.reserve(pending.size());
        for (const auto& p : pending)
          ops.push_back(p.op);
        std::string error;
        try {
          const EncodedFeed sent = codec_.request(ops, url, new_message_id());
          auto res = client_.request({.method = "POST",
                                      .url = url,
                                      .headers = {{"Content-Type",
                                                   "application/soap+xml; charset=UTF-8; "
                                                   "action=\"urn:ihe:iti:2010:"
                                                   "ProviderInformationFeed\""}},
                                      .body = sent.body,
                                      .timeout = settings_.timeout});
          if (res.status < 200 || res.status >= 300) {
            error = "HTTP " + std::to_string(res.status);
          }
          if (error.empty() || res.status == 500 || res.status == 400) {
            // A SOAP fault or a DSML error comes with 4xx/5xx from some peers: read it.
            auto results = codec_.results(res.body, sent);
            error.clear();
            bool rejected = false;
            for (std::size_t i = 0; i < pending.size() && error.empty(); ++i) {
              if (i >= results.size()) {
                // A peer that stops at a refused operation (onError="exit") answers nothing
                // for the ones after it: they stay queued for the next pass.
                if (!rejected)
                  error = "no result for operation " + std::to_string(i + 1);
                break;
              }
              const auto& p = pending[i];
              const auto& op = p.op;
              const int code = results[i].result_code;
              if (code == kDsmlSuccess || (code == kDsmlNoSuchObject && op.op == FeedOp::kDelete)) {
                for (auto row : p.rows)
                  tx.exec(kDelivered, row);
                tx.exec(kSuperseded, id, std::string(to_string(op.entity)), op.key, p.version);
                ++delivered;
              } else if (code == kDsmlEntryAlreadyExists && op.op == FeedOp::kAdd) {
                // The peer processed the rest too (onError="resume"): the retyped change
                // goes again with the current state in the next batch.
                tx.exec(kRetype, p.rows.front(), std::string("modify"));
              } else if (code == kDsmlNoSuchObject && op.op == FeedOp::kModify) {
                tx.exec(kRetype, p.rows.front(), std::string("add"));
              } else if (transient(code)) {
                for (auto row : p.rows)
                  tx.exec(kAttempted, row);
                error = std::string(to_string(op.op)) + " " + to_string(op.entity) + " " + op.key +
                        ": resultCode " + std::to_string(code) +
                        (results[i].message.empty() ? "" : " " + results[i].message);
              } else {
                // Refused for good (objectClassViolation, unwillingToPerform, ...): set aside
                // for the secretariat, the rest of the queue goes on.
                std::string message = results[i].message;
                if (message.size() > 500)
                  message.resize(500);
                tx.exec(kReject, id, p.version, std::string(to_string(op.entity)), op.key,
                        std::string(to_string(op.op)), code, message);
                for (auto row : p.rows)
                  tx.exec(kDelivered, row);
                rejected = true;
                const std::string detail = std::string(to_string(op.op)) + " " +
                                           to_string(op.entity) + " " + op.key + ": resultCode " +
                                           std::to_string(code);
                log::warn("HPD feed change refused by the connected system; set aside",
                          {.component = "hpd_feed", .peer = name, .detail = detail});
              }
            }
          }
        } catch (const Error& e) {
          error = e.internal().empty() ? e.what() : e.internal();
        } catch (const std::exception& e) {
          error = e.what();
        }
        if (error.empty()) {
          tx.exec(kSucceeded, id);
        } else {
          if (error.size() > 500)
            error.resize(500);
          tx.exec(kFailed, id, error, static_cast<std::int64_t>(settings_.min_backoff.count()),
                  static_cast<std::int64_t>(settings_.max_backoff.count()));
          log::warn("HPD feed delivery failed; will retry",
                    {.component = "hpd_feed", .peer = name, .detail = error});
        }
        return true;
      },
      {.max_attempts = 1});
}

int FeedSender::run_once() {
  int delivered = 0;
  // Bounded: a system that keeps failing is not due again before its backoff.
  for (int i = 0; i < 1000 && send_one_batch(delivered); ++i) {
  }
  return delivered;
}

void FeedSender::start() {
  thread_ = std::thread([this] {
    for (;;) {
      try {
        if (int n = run_once(); n > 0)
          log::info("HPD feed changes delivered", {.component = "hpd_feed", .count = n});
      } catch (const Error& e) {
        log::warn("HPD feed pass failed", {.component = "hpd_feed", .detail = e.internal()});
      } catch (const std::exception&) {
        log::warn("HPD feed pass failed", {.component = "hpd_feed"});
      }
      std::unique_lock lock(mutex_);
      if (wake_.wait_for(lock, settings_.interval, [this] { return stop_; }))
        return;
    }
  });
}

void FeedSender::stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

}  // namespace hareyaka::hpd_feed
