// Publishes this facility's patients to the portal with the IHE PIX V3 Patient Identity
// Feed (ITI-44), the same endpoint any vendor's PIX source uses, at least once and
// idempotently: every changed patient goes through the durable outbox; a feed is retried
// with backoff until the portal answers AA/CA; a resynchronisation at start (and every
// `resync_interval`) re-queues every patient whose demographics differ from what the
// portal last acknowledged.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "common/http_client.hpp"
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
};

class Publisher {
 public:
  Publisher(const storage::StorageIndex& index, Outbox& outbox, PublisherSettings settings);
  ~Publisher();

  void patient_changed(const std::string& patient_id);  // durable, then wakes the sender
  // Queues every patient whose current demographics differ from the acknowledged ones.
  std::size_t resync();
  void start();
  void stop();
  // One pass over the outbox; returns how many patients the portal acknowledged.
  int run_once();
  nlohmann::json status() const;

 private:
  std::optional<std::string> feed_for(const std::string& patient_id, std::string& digest,
                                      bool revise);

  const storage::StorageIndex& index_;
  Outbox& outbox_;
  PublisherSettings settings_;
  http::BlockingHttpClient client_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  bool poke_ = false;
  std::atomic<std::int64_t> acknowledged_{0};
  std::atomic<std::int64_t> failures_{0};
  std::string last_error_;
  std::uint64_t seq_ = 0;
};

}  // namespace hareyaka::gateway::publish
