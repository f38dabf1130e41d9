// The daily view rollup behind the usage statistics. It follows the audit chain with its
// own cursor, as the ATNA sender does: each step reads the successful view records after
// the cursor, adds them to stats_view_day and moves the cursor, all in one transaction
// that holds the cursor row, so any number of portals may run it on one database.
// rebuild() recounts from the first record; check() compares the rollup with a plain
// GROUP BY over the same records. After each run_once() the counters for /metrics are
// published (the scrape itself never touches the database).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "common/metrics.hpp"
#include "common/pg.hpp"

namespace hareyaka::stats {

struct RollupSettings {
  std::chrono::milliseconds interval{60'000};
  std::int64_t batch = 50'000;  // audit records (seqs) per transaction
  // Where run_once() publishes exposition() (the portal's /metrics); null: nowhere.
  http::Metrics* metrics = nullptr;
};

struct CheckResult {
  bool ok = true;
  std::int64_t last_seq = 0;           // the rollup's cursor the check compared at
  std::int64_t cells = 0;              // rollup rows
  std::int64_t mismatched_cells = 0;   // rows missing on either side or with other counts
  std::int64_t mismatched_totals = 0;  // per-category totals that differ from the rows
  // month cells that differ from a recount of the rows (also after a facility changed kind
  // or municipality: the cells keep what it was when the views were rolled up; rebuild
  // re-attributes)
  std::int64_t mismatched_month_cells = 0;
};

class StatsRollup {
 public:
  explicit StatsRollup(pg::Pool& pool, RollupSettings settings = {});
  ~StatsRollup();
  StatsRollup(const StatsRollup&) = delete;
  StatsRollup& operator=(const StatsRollup&) = delete;

  // Rolls up everything up to the chain head, batch by batch; returns how many audit
  // records (of any kind) the cursor moved past.
  std::int64_t run_once();
  // Empties the rollup and recounts the whole chain in one transaction (readers see the
  // old figures until it commits). Returns the records read.
  std::int64_t rebuild();
  // The rollup against a from-scratch recount of the records up to its cursor.
  CheckResult check();
  std::int64_t cursor();
  // Prometheus exposition: hareyaka_stats_views_total{category}, hareyaka_consents{state},
  // hareyaka_stats_rollup_lag_records. Read from small tables: cheap once a minute.
  std::string exposition();

  // The background loop (every settings.interval) and its end.
  void start();
  void stop();

 private:
  pg::Pool& pool_;
  RollupSettings settings_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
};

}  // namespace hareyaka::stats
