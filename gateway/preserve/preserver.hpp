// Sends the minimum data set of every patient to the preservation nodes (issue #20), at least
// once and idempotently, one sender thread per node. A changed patient goes into that node's
// durable queue (publish::Outbox under state_dir/preserve/<node>); the sender reads the
// patient's current files of the preserved data types, seals them (sealing.hpp), uploads the
// objects the node does not hold yet, then the signed manifest: a new generation. What the
// node acknowledged is remembered as a digest of the file list (paths, sizes, mtimes), so a
// resynchronisation at start queues only patients that changed meanwhile. A crash at any
// point resends: equal files seal to equal objects and the node answers an unchanged list
// with the generation it already holds, so nothing is stored twice and nothing is lost.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/http_client.hpp"
#include "gateway/preserve/sealing.hpp"
#include "gateway/publish/outbox.hpp"
#include "gateway/storage/storage_index.hpp"
#include "proto/ssmix2/data_type.hpp"

namespace hareyaka::gateway::preserve {

struct PreservationNode {
  std::string name;  // [a-z0-9-], names its queue folder
  std::string url;   // https://node:port
  tls::ClientSettings tls;
};

// The minimum data set of the MHLW disaster-time guidance: demographics, allergies,
// diagnoses, prescriptions and injections (orders and administrations), lab results, visits,
// admissions and discharges.
std::vector<ssmix2::DataType> minimum_data_set();

// The patients a consent in force discloses (local ids, the portal's
// /api/gw/v1/consented-patients); throws Error when the portal cannot say.
using ConsentedPatients = std::function<std::vector<std::string>()>;

struct PreserverSettings {
  std::string facility_oid;
  // Set: only consented patients are preserved (refreshed every consent_refresh; a patient
  // who becomes consented is queued at once). Empty: every patient of the storage.
  ConsentedPatients consented;
  std::chrono::milliseconds consent_refresh{60'000};
  std::vector<ssmix2::DataType> data_types = minimum_data_set();
  std::vector<PreservationNode> nodes;
  std::chrono::milliseconds retry_min{1000};
  std::chrono::milliseconds retry_max{60'000};
  std::chrono::milliseconds resync_interval{std::chrono::minutes(10)};
};

class Preserver {
 public:
  Preserver(const storage::StorageIndex& index, const PreserveCrypto& crypto,
            const std::string& state_dir, PreserverSettings settings);
  ~Preserver();

  void patient_changed(const std::string& patient_id);  // durable in every queue
  std::size_t resync();  // queues every patient whose preserved list differs
  void start();
  void stop();
  // One pass over one node's queue; returns how many patients the node acknowledged.
  int run_once(std::size_t node);
  nlohmann::json status() const;

 private:
  struct Node;
  // The list of files to preserve now, and its digest (no file is read).
  std::vector<storage::FileEntry> selected(const std::string& patient_id,
                                           std::string& digest) const;
  void preserve_patient(Node& node, const std::string& patient_id);
  // Reads the consented patients again; queues those new to the list, and those who left it
  // (their copies are purged). false: unavailable.
  bool refresh_consents();
  bool preserves(const std::string& patient_id) const;
  // The consent list is known and does not hold the patient (an unknown list withdraws no one).
  bool withdrawn(const std::string& patient_id) const;
  // One request to a node under /pv/v1/facilities/<facility>; Error kUnavailable unless 2xx.
  http::ClientResponse call(Node& node, const std::string& method, const std::string& path,
                            std::string body, const char* type);
  void run(Node& node);

  const storage::StorageIndex& index_;
  const PreserveCrypto& crypto_;
  PreserverSettings settings_;
  std::vector<std::unique_ptr<Node>> nodes_;
  mutable std::mutex consent_mutex_;
  std::optional<std::set<std::string>> consented_;  // nullopt: not known yet
  std::atomic<std::int64_t> consent_refreshes_{0};
  std::string consent_error_;  // under consent_mutex_
};

}  // namespace hareyaka::gateway::preserve
