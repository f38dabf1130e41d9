// Sends the audit log to an IHE ATNA audit record repository: each record as a DICOM audit
// message in an RFC 5424 syslog message over TLS with RFC 5425 octet counting. The local
// log in PostgreSQL comes first: the sender follows it with a cursor (advanced only after
// a batch is written), so a collector outage delays the export and loses nothing. Several
// portals may run it: the cursor only moves forward, and a record sent twice is harmless.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "common/tls.hpp"
#include "portal/audit/atna.hpp"
#include "portal/audit/audit_log.hpp"

namespace hareyaka::portal {

struct AtnaSettings {
  std::string host;  // empty: no export
  std::uint16_t port = 6514;
  tls::ClientSettings tls;
  audit::AtnaSource source;
  std::chrono::milliseconds interval{2000};
  std::chrono::milliseconds timeout{5000};
  int batch = 200;
};

class AtnaSender {
 public:
  AtnaSender(audit::AuditLog& log, AtnaSettings settings);
  ~AtnaSender();
  void start();
  void stop();
  // Sends what is after the cursor, batch by batch; returns how many records were sent.
  // Throws Error(kUnavailable) when the collector cannot be reached (nothing is lost).
  int run_once();

 private:
  audit::AuditLog& log_;
  AtnaSettings settings_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
};

}  // namespace hareyaka::portal
