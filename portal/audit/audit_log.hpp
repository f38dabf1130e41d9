// The audit log on PostgreSQL: append (serialised through the chain head, so several portal
// processes keep one chain), chain verification, search, the per-patient access report,
// and the export feed (fetch after a cursor, advance the cursor) for the ATNA sender.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/pg.hpp"
#include "hpd/page.hpp"
#include "portal/audit/audit_record.hpp"

namespace hareyaka::audit {

struct VerifyResult {
  bool ok = true;
  std::int64_t checked = 0;     // records whose hash was recomputed
  std::int64_t head_seq = 0;    // the chain head when verification started
  std::int64_t broken_seq = 0;  // the first broken link (0 when ok)
  std::string what;             // what differs there
};

struct AuditFilter {
  std::optional<std::string> actor_user;
  std::optional<std::string> actor_facility;
  std::optional<EventType> type;
  std::optional<Outcome> outcome;
  std::optional<std::string> patient_authority;  // with patient_local_id
  std::optional<std::string> patient_local_id;
  std::optional<std::string> person_id;
  std::optional<TimePoint> from;  // inclusive
  std::optional<TimePoint> to;    // exclusive
};

class AuditLog {
 public:
  explicit AuditLog(pg::Pool& pool) : pool_(pool) {}

  // Appends in its own transaction and returns the record (seq, hashes).
  AuditRecord append(const AuditEvent& e, TimePoint now);
  // Appends several events (one request's) in order in one transaction: the chain head is
  // locked once and the commit waits for one WAL flush instead of one per event.
  std::vector<AuditRecord> append_all(const std::vector<AuditEvent>& events, TimePoint now);
  // Appends inside the caller's transaction (commits with it). Holds the chain head lock
  // until that transaction ends: keep it short.
  static AuditRecord append_in(pg::Tx& tx, const AuditEvent& e, TimePoint now);

  // Recomputes the chain from seq 1 to the head as of the start, in batches; stops at the
  // first broken link: a gap (a record removed), a prev_hash that is not the previous
  // record's hash (inserted or reordered), a hash that does not match the contents
  // (altered), or a head that does not match the last record (removed from the end).
  VerifyResult verify_chain(int batch_size = 2000);

  // Newest first.
  hpd::Page<AuditRecord> search(const AuditFilter& filter, const hpd::PageRequest& page);
  // Who accessed this patient's record (views and searches naming it), newest first.
  hpd::Page<AuditRecord> access_report(const std::string& authority, const std::string& local_id,
                                       const hpd::PageRequest& page);

  // Export feed: records with seq > after_seq in order, at most `limit` (clamped to 1..1000).
  std::vector<AuditRecord> fetch_after(std::int64_t after_seq, int limit);
  // The last seq the exporter confirmed; 0 when it never ran.
  std::int64_t load_cursor(const std::string& exporter);
  // Moves the cursor forward only (a late or repeated confirmation never moves it back).
  void advance_cursor(const std::string& exporter, std::int64_t seq);

 private:
  pg::Pool& pool_;
};

}  // namespace hareyaka::audit
