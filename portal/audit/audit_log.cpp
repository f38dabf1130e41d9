#include "portal/audit/audit_log.hpp"

#include <algorithm>
#include <limits>

#include "common/error.hpp"
#include "hpd/sql_null.hpp"

namespace hareyaka::audit {
namespace {

#define HY_AUDIT_COLUMNS                                                               \
  "seq, (extract(epoch FROM at) * 1000000)::bigint, event_type, outcome, actor_user, " \
  "actor_profession, actor_facility, person_id, patient_authority, patient_local_id, " \
  "source_facility, category, reason, detail, request_id, prev_hash, hash"
#define HY_US_TO_TS(p) "(timestamptz 'epoch' + " p " * interval '1 microsecond')"

constexpr pg::Statement kLockHead{"audit_lock_head",
                                  "SELECT seq, hash FROM audit_chain_head WHERE id = 1 FOR UPDATE"};
constexpr pg::Statement kReadHead{"audit_read_head",
                                  "SELECT seq, hash FROM audit_chain_head WHERE id = 1"};
constexpr pg::Statement kInsert{
    "audit_insert",
    "INSERT INTO audit_log (seq, at, event_type, outcome, actor_user, actor_profession, "
    "actor_facility, person_id, patient_authority, patient_local_id, source_facility, category, "
    "reason, detail, request_id, prev_hash, hash) VALUES ($1, " HY_US_TO_TS(
        "$2::bigint") ", $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)"};
constexpr pg::Statement kAdvanceHead{
    "audit_advance_head", "UPDATE audit_chain_head SET seq = $1, hash = $2 WHERE id = 1"};
constexpr pg::Statement kRange{
    "audit_range", "SELECT " HY_AUDIT_COLUMNS
                   " FROM audit_log WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3"};
constexpr pg::Statement kSearch{
    "audit_search",
    "SELECT " HY_AUDIT_COLUMNS " FROM audit_log WHERE seq < $1 "
    "AND ($2::text IS NULL OR actor_user = $2) AND ($3::text IS NULL OR actor_facility = $3) "
    "AND ($4::text IS NULL OR event_type = $4) AND ($5::text IS NULL OR outcome = $5) "
    "AND ($6::text IS NULL OR patient_authority = $6) "
    "AND ($7::text IS NULL OR patient_local_id = $7) AND ($8::text IS NULL OR person_id = $8) "
    "AND ($9::bigint IS NULL OR at >= " HY_US_TO_TS("$9::bigint") ") "
    "AND ($10::bigint IS NULL OR at < " HY_US_TO_TS("$10::bigint") ") "
    "ORDER BY seq DESC LIMIT $11"};
constexpr pg::Statement kAccessReport{
    "audit_access_report",
    "SELECT " HY_AUDIT_COLUMNS
    " FROM audit_log "
    "WHERE patient_authority = $1 AND patient_local_id = $2 AND patient_local_id <> '' "
    "AND seq < $3 AND event_type IN ('view', 'search') ORDER BY seq DESC LIMIT $4"};
constexpr pg::Statement kFetchAfter{"audit_fetch_after",
                                    "SELECT " HY_AUDIT_COLUMNS
                                    " FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"};
constexpr pg::Statement kLoadCursor{"audit_load_cursor",
                                    "SELECT last_seq FROM audit_export_cursor WHERE exporter = $1"};
constexpr pg::Statement kAdvanceCursor{
    "audit_advance_cursor",
    "INSERT INTO audit_export_cursor (exporter, last_seq, updated_at) VALUES ($1, $2, now()) "
    "ON CONFLICT (exporter) DO UPDATE SET last_seq = GREATEST(audit_export_cursor.last_seq, "
    "EXCLUDED.last_seq), updated_at = now()"};

// Reads a row as stored. An event type or outcome that does not parse cannot come from
// append(): `bad` says which, and verification reports it as a broken link.
AuditRecord from_row(const pqxx::row& r, std::string* bad = nullptr) {
  AuditRecord a;
  a.seq = r[0].as<std::int64_t>();
  a.at = hpd::from_us(r[1].as<std::int64_t>());
  auto type = parse_event_type(r[2].as<std::string>());
  auto outcome = parse_outcome(r[3].as<std::string>());
  if (bad && !type)
    *bad = "event_type is not a known value";
  if (bad && !outcome)
    *bad = "outcome is not a known value";
  a.type = type.value_or(EventType::kAdminAction);
  a.outcome = outcome.value_or(Outcome::kFailure);
  a.actor_user = r[4].as<std::string>();
  a.actor_profession = r[5].as<std::string>();
  a.actor_facility = r[6].as<std::string>();
  a.person_id = r[7].as<std::string>();
  a.patient_authority = r[8].as<std::string>();
  a.patient_local_id = r[9].as<std::string>();
  a.source_facility = r[10].as<std::string>();
  a.category = r[11].as<std::string>();
  a.reason = r[12].as<std::string>();
  a.detail = r[13].as<std::string>();
  a.request_id = r[14].as<std::string>();
  a.prev_hash = r[15].as<std::string>();
  a.hash = r[16].as<std::string>();
  return a;
}

long long before_cursor(const hpd::PageRequest& page) {
  return page.after.empty() ? std::numeric_limits<long long>::max()
                            : hpd::decode_int_cursor(page.after);
}

hpd::Page<AuditRecord> to_page(const pqxx::result& res, int limit) {
  hpd::Page<AuditRecord> out;
  for (const auto& r : res)
    out.items.push_back(from_row(r));
  if (static_cast<int>(out.items.size()) == limit) {
    out.next = hpd::encode_int_cursor(out.items.back().seq);
  }
  return out;
}

}  // namespace

namespace {

// Locks the chain head and appends the events after it; returns the records.
std::vector<AuditRecord> append_locked(pg::Tx& tx, const AuditEvent* events, std::size_t n,
                                       TimePoint now) {
  // The row lock on the single head row is the serialisation point: a second appender
  // (another thread or another portal process) waits here and then reads the new head.
  auto head = tx.exec(kLockHead);
  if (head.empty()) {
    throw Error(ErrorCode::kInternal, "audit unavailable", "audit_chain_head row missing");
  }
  std::vector<AuditRecord> out;
  out.reserve(n);
  std::int64_t seq = head[0][0].as<std::int64_t>();
  std::string prev = head[0][1].as<std::string>();
  for (std::size_t i = 0; i < n; ++i) {
    AuditRecord r;
    static_cast<AuditEvent&>(r) = events[i];
    r.seq = ++seq;
    r.at = now;
    r.prev_hash = std::move(prev);
    r.hash = compute_hash(r);
    tx.exec(kInsert, r.seq, hpd::to_us(r.at), std::string(to_string(r.type)),
            std::string(to_string(r.outcome)), r.actor_user, r.actor_profession, r.actor_facility,
            r.person_id, r.patient_authority, r.patient_local_id, r.source_facility, r.category,
            r.reason, r.detail, r.request_id, r.prev_hash, r.hash);
    // The head advances one record at a time (a trigger enforces it).
    tx.exec(kAdvanceHead, r.seq, r.hash);
    prev = r.hash;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

AuditRecord AuditLog::append_in(pg::Tx& tx, const AuditEvent& e, TimePoint now) {
  return std::move(append_locked(tx, &e, 1, now).front());
}

AuditRecord AuditLog::append(const AuditEvent& e, TimePoint now) {
  return pg::transact(pool_, [&](pg::Tx& tx) { return append_in(tx, e, now); });
}

std::vector<AuditRecord> AuditLog::append_all(const std::vector<AuditEvent>& events,
                                              TimePoint now) {
  if (events.empty())
    return {};
  return pg::transact(
      pool_, [&](pg::Tx& tx) { return append_locked(tx, events.data(), events.size(), now); });
}

VerifyResult AuditLog::verify_chain(int batch_size) {
  batch_size = std::clamp(batch_size, 1, 100000);
  VerifyResult v;
  std::string head_hash;
  pg::transact(pool_, [&](pg::Tx& tx) {
    auto head = tx.exec(kReadHead);
    if (head.empty())
      return;
    v.head_seq = head[0][0].as<std::int64_t>();
    head_hash = head[0][1].as<std::string>();
  });
  auto broken = [&](std::int64_t seq, std::string what) {
    v.ok = false;
    v.broken_seq = seq;
    v.what = std::move(what);
    return v;
  };
  if (head_hash.empty())
    return broken(0, "chain head row missing");

  std::int64_t last_seq = 0;
  std::string last_hash(kGenesisHash);
  while (last_seq < v.head_seq) {
    auto rows = pg::transact(
        pool_, [&](pg::Tx& tx) { return tx.exec(kRange, last_seq, v.head_seq, batch_size); });
    if (rows.empty()) {
      return broken(last_seq + 1, "record missing: the log ends at seq " +
                                      std::to_string(last_seq) + " but the chain head is seq " +
                                      std::to_string(v.head_seq));
    }
    for (const auto& row : rows) {
      std::string bad;
      AuditRecord r = from_row(row, &bad);
      if (r.seq != last_seq + 1) {
        return broken(last_seq + 1, "record missing: seq " + std::to_string(last_seq + 1) +
                                        " absent, next present is seq " + std::to_string(r.seq));
      }
      if (!bad.empty())
        return broken(r.seq, bad);
      if (r.prev_hash != last_hash) {
        return broken(r.seq, "prev_hash does not equal the hash of seq " +
                                 std::to_string(last_seq) + " (a record was replaced or inserted)");
      }
      const std::string want = compute_hash(r);
      if (r.hash != want) {
        return broken(r.seq, "hash does not match the record's contents (stored " + r.hash +
                                 ", recomputed " + want + "): the record was altered");
      }
      ++v.checked;
      last_seq = r.seq;
      last_hash = r.hash;
    }
  }
  if (last_hash != head_hash) {
    return broken(v.head_seq, "the chain head's hash differs from the last record's hash");
  }
  return v;
}

hpd::Page<AuditRecord> AuditLog::search(const AuditFilter& f, const hpd::PageRequest& page) {
  const int limit = page.clamped_limit();
  const long long before = before_cursor(page);
  std::optional<std::string> type, outcome;
  if (f.type)
    type = std::string(to_string(*f.type));
  if (f.outcome)
    outcome = std::string(to_string(*f.outcome));
  std::optional<std::int64_t> from, to;
  if (f.from)
    from = hpd::to_us(*f.from);
  if (f.to)
    to = hpd::to_us(*f.to);
  using hpd::or_null;
  using hpd::text_of;
  return pg::transact(pool_, [&](pg::Tx& tx) {
    return to_page(
        tx.exec(kSearch, before, or_null(f.actor_user), or_null(f.actor_facility), or_null(type),
                or_null(outcome), or_null(f.patient_authority), or_null(f.patient_local_id),
                or_null(f.person_id), or_null(text_of(from)), or_null(text_of(to)), limit),
        limit);
  });
}

hpd::Page<AuditRecord> AuditLog::access_report(const std::string& authority,
                                               const std::string& local_id,
                                               const hpd::PageRequest& page) {
  const int limit = page.clamped_limit();
  const long long before = before_cursor(page);
  return pg::transact(pool_, [&](pg::Tx& tx) {
    return to_page(tx.exec(kAccessReport, authority, local_id, before, limit), limit);
  });
}

std::vector<AuditRecord> AuditLog::fetch_after(std::int64_t after_seq, int limit) {
  limit = std::clamp(limit, 1, 1000);
  return pg::transact(pool_, [&](pg::Tx& tx) {
    std::vector<AuditRecord> out;
    for (const auto& r : tx.exec(kFetchAfter, after_seq, limit))
      out.push_back(from_row(r));
    return out;
  });
}

std::int64_t AuditLog::load_cursor(const std::string& exporter) {
  return pg::transact(pool_, [&](pg::Tx& tx) -> std::int64_t {
    auto res = tx.exec(kLoadCursor, exporter);
    return res.empty() ? 0 : res[0][0].as<std::int64_t>();
  });
}

void AuditLog::advance_cursor(const std::string& exporter, std::int64_t seq) {
  pg::transact(pool_, [&](pg::Tx& tx) { tx.exec(kAdvanceCursor, exporter, seq); });
}

}  // namespace hareyaka::audit
