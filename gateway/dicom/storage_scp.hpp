// The gateway's DICOM Storage SCP (C-STORE) and Verification SCP (C-ECHO). One listener
// thread accepts associations and hands each to its own worker thread (up to
// max_associations at once; more are rejected as "local limit exceeded"). Each received
// dataset is streamed to a file under the store's incoming folder, validated, renamed into
// place and indexed before the C-STORE response is sent; a dataset we refuse gets a
// failure status with the reason in Error Comment (0000,0902), and the SCP keeps serving.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace hareyaka::gateway::dicom {

class DicomStore;

struct ScpSettings {
  std::string ae_title = "HAREYAKA";
  std::uint16_t port = 104;  // 0: an ephemeral port, see StorageScp::port()
  // Calling AE titles allowed to associate. Empty allows none; "*" (explicitly configured)
  // allows any calling AE.
  std::vector<std::string> allowed_calling_aes;
  std::size_t max_associations = 8;
  std::uint32_t max_pdu = 116794;  // what storescp/Orthanc use; DCMTK's default is 16 KiB
  std::chrono::seconds acse_timeout{30};
  std::chrono::seconds dimse_timeout{60};
};

struct ScpCounters {
  std::uint64_t associations = 0;
  std::uint64_t stored = 0;
  std::uint64_t refused = 0;
};

class StorageScp {
 public:
  StorageScp(DicomStore& store, ScpSettings settings);
  ~StorageScp();
  StorageScp(const StorageScp&) = delete;
  StorageScp& operator=(const StorageScp&) = delete;

  // Binds the port and starts accepting. Throws Error(kUnavailable) when the port cannot be
  // bound.
  void start();
  // The bound port (the ephemeral one when settings.port was 0). Valid after start().
  std::uint16_t port() const { return port_; }
  // Stops accepting, lets the running associations finish (each is bounded by the DIMSE
  // timeout) and joins every thread. Idempotent.
  void stop();

  ScpCounters counters() const;

  // Called by workers (public for them only).
  void count_stored(bool ok);

 private:
  struct Network;
  void listen_loop();
  void reap_finished_locked();

  DicomStore& store_;
  ScpSettings settings_;
  std::uint16_t port_ = 0;
  Network* network_ = nullptr;
  std::atomic<bool> stopping_{false};
  std::thread listener_;

  struct Worker;
  mutable std::mutex mutex_;
  std::list<Worker*> workers_;
  ScpCounters counters_;
};

}  // namespace hareyaka::gateway::dicom
