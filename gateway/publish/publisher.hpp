// Publishes this facility's patients to the portal with the IHE PIX V3 Patient Identity
// Feed (ITI-44), the same endpoint any vendor's PIX source uses, at least once and
// idempotently: every changed patient goes through the durable outbox; a feed is retried
// with backoff until the portal answers AA/CA; a resynchronisation at start (and every
// `resync_interval`) re-queues every patient whose demographics differ from what the
// portal last acknowledged. After its feed, each patient's locator entry goes the same way
// (see locator_sync.hpp); the resynchronisation also compares the portal's locator digests
// with the index, both directions.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "common/http_client.hpp"
#include "gateway/publish/locator_sync.hpp"
#include "gateway/publish/outbox.hpp"
#include "gateway/storage/storage_index.hpp"

namespace hareyaka::gateway::publish {

struct PublisherSettings {
  std::string portal_url;   // https://portal:port (node listener)
  tls::ClientSettings tls;  // the gateway's network certificate
  std::string facility_oid;
  std::string patient_authority;  // this facility's patient id domain
  std::chrono::milliseconds retry_min{1000};
  std::chrono::milliseconds retry_max{60'000};
  std::chrono::milliseconds resync_interval{std::chrono::minutes(10)};
  StudyLookup studies;  // imaging studies for the locator entries; empty: none
  ExtraRecords extra;   // records besides the files (a hosted tenant's); empty: none
  // Non-null: the HTTPS client runs on this shared thread (many publishers in one process).
  const http::ClientThread* client_thread = nullptr;
};

class Publisher {
 public:
  Publisher(const storage::StorageIndex& index, Outbox& outbox, PublisherSettings settings);
  ~Publisher();

  void patient_changed(const std::string& patient_id);  // durable, then wakes the sender
  // Queues every patient whose current demographics or locator entry differ from the
  // acknowledged ones, then compares with the portal's locators (when the portal cannot be
  // reached, that part is retried by the sender thread until it succeeds).
  std::size_t resync();
  void start();
  void stop();
  // One pass over the outbox; returns how many patients the portal acknowledged.
  int run_once();
  // One round of what the sender thread does: the periodic resynchronisation when due, a
  // postponed comparison with the portal's locators, one pass over the outbox. Returns how
  // long to wait before the next round (0: more is pending; the backoff after a failure).
  // For a caller that drives many publishers from its own threads instead of start().
  std::chrono::milliseconds step();
  nlohmann::json status() const;

 private:
  std::optional<std::string> feed_for(const std::string& patient_id, std::string& digest,
                                      bool revise);

  const storage::StorageIndex& index_;
  Outbox& outbox_;
  PublisherSettings settings_;
  http::BlockingHttpClient client_;
  LocatorSync locators_;
  std::atomic<bool> remote_resync_due_{false};
  std::atomic<std::int64_t> locator_resyncs_{0};  // comparisons with the portal completed
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  bool poke_ = false;
  std::atomic<std::int64_t> acknowledged_{0};
  std::atomic<std::int64_t> failures_{0};
  std::string last_error_;
  std::uint64_t seq_ = 0;
  std::chrono::milliseconds backoff_ = settings_.retry_min;  // step() only
  std::chrono::steady_clock::time_point next_resync_ =
      std::chrono::steady_clock::now() + settings_.resync_interval;
};

}  // namespace hareyaka::gateway::publish
