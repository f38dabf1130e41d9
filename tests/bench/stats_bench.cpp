// The usage statistics over a large audit log (docs/performance.md "Usage statistics"):
// loads --records generated view records over twelve months with COPY (hareyaka-stats-gen
// --mode copy: a valid hash chain), then measures
//   - the full rollup (rebuild from scratch) and one day's incremental rollup,
//   - the statistics page's work per request (roll up to the head, resolve the period,
//     build the twelve-month report: what GET /api/v1/admin/stats does besides the session
//     check and the audit append) over --reads requests: p50 / p99,
//   - the plain alternative: the page's three view sections as SELECT ... GROUP BY over
//     audit_log itself.
//
//   stats_bench --gen build/tests/bench/hareyaka-stats-gen [--records 1000000] [--reads 100]
// A private PostgreSQL cluster (tests/support/pg_cluster: fsync off).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "hpd/pg_directory_store.hpp"
#include "portal/schema.hpp"
#include "portal/stats/stats_report.hpp"
#include "portal/stats/stats_rollup.hpp"
#include "tests/hpd/directory_fixture.hpp"
#include "tests/support/pg_cluster.hpp"

namespace hy = hareyaka;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

void run(const std::string& cmd) {
  if (std::system(cmd.c_str()) != 0) {
    std::fprintf(stderr, "stats_bench: failed: %s\n", cmd.c_str());
    std::exit(1);
  }
}

// The page's view sections straight from the audit log (no rollup).
constexpr const char* kPlain[] = {
    "SELECT to_char((at AT TIME ZONE 'UTC') + interval '9 hours', 'YYYY-MM'), category, "
    "count(*), count(DISTINCT person_id) FROM audit_log WHERE event_type = 'view' AND "
    "outcome = 'success' AND at >= '2025-11-30 15:00+00' AND at < '2026-11-30 15:00+00' "
    "GROUP BY 1, 2",
    "SELECT to_char((a.at AT TIME ZONE 'UTC') + interval '9 hours', 'YYYY-MM'), f.kind, "
    "f.municipality_code, count(*), count(DISTINCT a.person_id) FROM audit_log a "
    "LEFT JOIN facilities f ON f.oid = a.actor_facility WHERE a.event_type = 'view' AND "
    "a.outcome = 'success' AND a.at >= '2025-11-30 15:00+00' AND a.at < '2026-11-30 15:00+00' "
    "GROUP BY 1, 2, 3",
    "SELECT to_char((at AT TIME ZONE 'UTC') + interval '9 hours', 'YYYY-MM'), source_facility, "
    "count(*), count(DISTINCT person_id) FROM audit_log WHERE event_type = 'view' AND "
    "outcome = 'success' AND at >= '2025-11-30 15:00+00' AND at < '2026-11-30 15:00+00' "
    "GROUP BY 1, 2"};

}  // namespace

int main(int argc, char** argv) {
  std::string gen;
  long long records = 1'000'000;
  int reads = 100;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--gen")
      gen = argv[i + 1];
    else if (a == "--records")
      records = std::atoll(argv[i + 1]);
    else if (a == "--reads")
      reads = std::atoi(argv[i + 1]);
  }
  if (gen.empty()) {
    std::fprintf(stderr, "usage: stats_bench --gen PATH [--records N] [--reads N]\n");
    return 2;
  }
  auto pool = hy::testing::fresh_pool(hy::portal::all_migrations(), 4);
  const std::string db = pool->settings().conninfo;
  hy::hpd::PgDirectoryStore directory(*pool);
  // 6 disclosing hospitals, 60 viewing facilities of four kinds in 10 municipalities.
  for (int i = 0; i < 6; ++i) {
    auto f = hy::testing::make_facility(100 + i, hy::hpd::FacilityKind::kHospital, true, false);
    directory.create_facility(f);
  }
  const hy::hpd::FacilityKind kinds[] = {
      hy::hpd::FacilityKind::kClinic, hy::hpd::FacilityKind::kPharmacy,
      hy::hpd::FacilityKind::kHomeVisitNursing, hy::hpd::FacilityKind::kCareFacility};
  for (int i = 0; i < 60; ++i) {
    auto f = hy::testing::make_facility(200 + i, kinds[i % 4], false, true);
    f.municipality_code = "33" + std::to_string(1000 + i % 10);
    directory.create_facility(f);
  }
  const int per_day = static_cast<int>(records / 365);
  const std::string copy = "\\copy audit_log FROM STDIN";
  auto t = Clock::now();
  run(shell_quote(gen) + " --mode copy --db " + shell_quote(db) +
      " --months 12 --end 2026-11 --patients 50000 --per-day " + std::to_string(per_day) +
      " | psql -q -v ON_ERROR_STOP=1 " + shell_quote(db) + " -c " + shell_quote(copy));
  // COPY does not move the chain head (its trigger lets it advance one record at a time).
  auto set_head = [&] {
    hy::pg::transact(*pool, [](hy::pg::Tx& tx) {
      tx.exec_trusted("ALTER TABLE audit_chain_head DISABLE TRIGGER audit_chain_head_forward");
      tx.exec_trusted(
          "UPDATE audit_chain_head SET (seq, hash) = (SELECT seq, hash FROM audit_log "
          "ORDER BY seq DESC LIMIT 1)");
      tx.exec_trusted("ALTER TABLE audit_chain_head ENABLE TRIGGER audit_chain_head_forward");
      tx.exec_trusted("ANALYZE audit_log");
    });
  };
  set_head();
  const double load_s = seconds_since(t);
  const long long loaded = hy::pg::transact(*pool, [](hy::pg::Tx& tx) {
    return tx.exec_trusted("SELECT seq FROM audit_chain_head")[0][0].as<long long>();
  });
  std::printf("loaded %lld audit records (12 months, %d a day) in %.1f s\n", loaded, per_day,
              load_s);

  hy::stats::StatsRollup rollup(*pool);
  t = Clock::now();
  rollup.rebuild();
  const double full_s = seconds_since(t);
  const long long rows = hy::pg::transact(*pool, [](hy::pg::Tx& tx) {
    tx.exec_trusted("ANALYZE stats_view_day");
    return tx.exec_trusted("SELECT count(*) FROM stats_view_day")[0][0].as<long long>();
  });
  std::printf("full rollup (rebuild): %.1f s, %lld daily rows\n", full_s, rows);

  // One more day (2026-12-01) of the same size, then the incremental step that adds it.
  run(shell_quote(gen) + " --mode copy --db " + shell_quote(db) +
      " --months 1 --end 2026-12 --days 1 --patients 50000 --seed 2 --per-day " +
      std::to_string(per_day) + " | psql -q -v ON_ERROR_STOP=1 " + shell_quote(db) + " -c " +
      shell_quote(copy));
  set_head();
  t = Clock::now();
  const auto added = rollup.run_once();
  std::printf("daily rollup: %lld records in %.3f s\n", static_cast<long long>(added),
              seconds_since(t));

  std::vector<double> ms;
  for (int i = 0; i < reads; ++i) {
    t = Clock::now();
    rollup.run_once();
    auto p = hy::stats::resolve_period(*pool, "2025-12-01", "2026-11-30");
    auto report = hy::stats::build_report(*pool, p, false);
    ms.push_back(seconds_since(t) * 1000);
  }
  std::sort(ms.begin(), ms.end());
  std::printf("page (12 months) over %d reads: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", reads,
              ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 99 / 100)], ms.back());

  t = Clock::now();
  hy::pg::transact(*pool, [](hy::pg::Tx& tx) {
    for (const char* q : kPlain)
      tx.exec_trusted(q);
  });
  std::printf("plain GROUP BY over audit_log (the same three sections, once): %.1f s\n",
              seconds_since(t));
  auto c = rollup.check();
  std::printf("check against a recount: %s (%lld cells)\n", c.ok ? "ok" : "MISMATCH",
              static_cast<long long>(c.cells));
  return c.ok ? 0 : 1;
}
