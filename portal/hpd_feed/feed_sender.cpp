#include "portal/hpd_feed/feed_sender.hpp"

#include <openssl/rand.h>

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
constexpr pg::Statement kPending{"feed_pending",
                                 "SELECT id, entity, entity_key, op FROM hpd_feed_outbox "
                                 "WHERE system_id = $1 ORDER BY id LIMIT $2 FOR UPDATE"};
constexpr pg::Statement kDelivered{"feed_delivered", "DELETE FROM hpd_feed_outbox WHERE id = $1"};
constexpr pg::Statement kRetype{"feed_retype", "UPDATE hpd_feed_outbox SET op = $2 WHERE id = $1"};
constexpr pg::Statement kAttempted{
    "feed_attempted", "UPDATE hpd_feed_outbox SET attempts = attempts + 1 WHERE id = $1"};
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

// The operations of the pending rows, with the entities' current state. A row for an entity
// that is gone by now (a later delete is queued behind it) needs no sending: returned in
// `obsolete`.
std::vector<FeedOperation> load_operations(pg::Tx& tx, const pqxx::result& rows,
                                           std::vector<std::int64_t>& obsolete) {
  std::vector<FeedOperation> ops;
  for (const auto& r : rows) {
    FeedOperation op;
    op.outbox_id = r[0].as<std::int64_t>();
    op.entity = parse_feed_entity(r[1].as<std::string>()).value_or(FeedEntity::kFacility);
    op.key = r[2].as<std::string>();
    op.op = parse_feed_op(r[3].as<std::string>()).value_or(FeedOp::kModify);
    if (op.op != FeedOp::kDelete) {
      if (op.entity == FeedEntity::kFacility) {
        op.facility = public_facility(tx, op.key);
      } else {
        op.user = public_user(tx, op.key);
        if (op.user)
          op.user_facility = public_facility(tx, op.user->facility_oid);
      }
      if (!op.facility && !op.user) {
        obsolete.push_back(op.outbox_id);
        continue;
      }
    }
    ops.push_back(std::move(op));
  }
  return ops;
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
        auto ops = load_operations(tx, tx.exec(kPending, id, settings_.batch), obsolete);
        for (auto row : obsolete)
          tx.exec(kDelivered, row);
        if (ops.empty()) {
          tx.exec(kSucceeded, id);
          return true;
        }
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
            for (std::size_t i = 0; i < ops.size() && error.empty(); ++i) {
              if (i >= results.size()) {
                error = "no result for operation " + std::to_string(i + 1);
                break;
              }
              const auto& op = ops[i];
              const int code = results[i].result_code;
              if (code == kDsmlSuccess || (code == kDsmlNoSuchObject && op.op == FeedOp::kDelete)) {
                tx.exec(kDelivered, op.outbox_id);
                ++delivered;
              } else if (code == kDsmlEntryAlreadyExists && op.op == FeedOp::kAdd) {
                // The peer processed the rest too (onError="resume"): the retyped change
                // goes again with the current state in the next batch.
                tx.exec(kRetype, op.outbox_id, std::string("modify"));
              } else if (code == kDsmlNoSuchObject && op.op == FeedOp::kModify) {
                tx.exec(kRetype, op.outbox_id, std::string("add"));
              } else {
                tx.exec(kAttempted, op.outbox_id);
                error = std::string(to_string(op.op)) + " " + to_string(op.entity) + " " + op.key +
                        ": resultCode " + std::to_string(code) +
                        (results[i].message.empty() ? "" : " " + results[i].message);
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
