// Delivers the HPD feed outbox (ITI-59 Provider Information Feed) to the connected systems.
// Each pass claims one due system at a time with SELECT ... FOR UPDATE SKIP LOCKED on its
// row (so two portals on one database never send the same system's changes at once, and
// each system's changes go out in order), sends its oldest pending changes as one DSML
// batchRequest over mutual TLS, deletes the rows the peer answered with success, and on a
// failure of the delivery itself (no connection, TLS, an HTTP error without a DSML answer,
// missing results, a transient resultCode: busy, unavailable, timeLimitExceeded,
// adminLimitExceeded, other, operationsError) keeps them and schedules the next attempt with
// exponential backoff. After an outage the outbox drains in order.
//
// The pending rows of one entity go out as one operation with the entity's current state
// (50 modifies of a facility during an outage are one modifyRequest) and are all settled by
// its result: a delete when the last of them is a delete, otherwise the first one's add or
// modify.
//
// Answers that say the peer is already in the wanted state are used to converge instead of
// failing: entryAlreadyExists to an add is re-sent as a modify, noSuchObject to a modify as
// an add, noSuchObject to a delete counts as delivered. Any other resultCode is a permanent
// refusal (objectClassViolation, unwillingToPerform, ...): the change is moved out of the
// outbox into hpd_feed_rejected (listed in the console, to re-queue or dismiss) and the rest
// of the system's queue goes on, without backoff.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "common/http_client.hpp"
#include "common/pg.hpp"
#include "portal/hpd_feed/feed_codec.hpp"

namespace hareyaka::hpd_feed {

struct FeedSenderSettings {
  http::ClientSettings client;               // the portal's client_tls: mutual TLS to every system
  std::chrono::milliseconds interval{2000};  // how often the outbox is looked at
  std::chrono::milliseconds min_backoff{1000};  // after the first failure; doubles
  std::chrono::milliseconds max_backoff{300'000};
  std::chrono::milliseconds timeout{15'000};  // per request
  int batch = 50;                             // operations per batchRequest
};

class FeedSender {
 public:
  FeedSender(pg::Pool& pool, const FeedCodec& codec, FeedSenderSettings settings);
  ~FeedSender();
  FeedSender(const FeedSender&) = delete;
  FeedSender& operator=(const FeedSender&) = delete;

  void start();
  void stop();
  // Sends to every due system until none is due; returns how many changes were delivered.
  int run_once();

 private:
  // One batch to one claimed system; false when no system was due.
  bool send_one_batch(int& delivered);

  pg::Pool& pool_;
  const FeedCodec& codec_;
  FeedSenderSettings settings_;
  http::BlockingHttpClient client_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
};

}  // namespace hareyaka::hpd_feed
