// Keeps the portal's locator entries for this facility equal to the storage index:
// send() puts (or deletes) one patient's entry, resynchronise() compares the portal's
// (patient id, digest) pages with the index and queues the difference in both directions.
// Entries go through the same durable outbox as the ITI-44 feeds (the Publisher calls
// send() for each pending patient after its feed), so delivery is at least once; the
// portal treats a repeated digest as a no-op.
#pragma once

#include <cstddef>
#include <string>

#include "common/http_client.hpp"
#include "gateway/publish/locator.hpp"
#include "gateway/publish/outbox.hpp"

namespace hareyaka::gateway::publish {

class LocatorSync {
 public:
  LocatorSync(const storage::StorageIndex& index, Outbox& outbox, http::BlockingHttpClient& client,
              std::string portal_url, StudyLookup studies, ExtraRecords extra = {})
      : index_(index),
        outbox_(outbox),
        client_(client),
        portal_url_(std::move(portal_url)),
        studies_(std::move(studies)),
        extra_(std::move(extra)) {}

  // Sends the patient's entry unless the portal already acknowledged this digest, or a
  // DELETE when the patient is gone from the storage (or has no demographics, so the portal
  // cannot know them). Throws Error(kUnavailable) when the portal does not accept it.
  void send(const std::string& patient_id, bool has_demographics);
  // Queues (in the outbox) every patient whose entry differs from the last acknowledged.
  std::size_t resync_local();
  // Queues every patient whose entry the portal lacks or holds with another digest, and
  // every patient the portal holds but the index does not. Runs after resync_local() (which
  // queues what was never sent). Throws when the portal is down.
  std::size_t resync_remote();

 private:
  http::ClientResponse call(const std::string& method, const std::string& path,
                            std::string body = "");

  const storage::StorageIndex& index_;
  Outbox& outbox_;
  http::BlockingHttpClient& client_;
  std::string portal_url_;
  StudyLookup studies_;
  ExtraRecords extra_;
};

}  // namespace hareyaka::gateway::publish
