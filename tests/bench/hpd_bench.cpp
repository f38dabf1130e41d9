// The HPD directory: ITI-59 feed throughput (addRequests, one transaction each) and ITI-58
// search latency, without HTTP: an equality search on uid (GIN pre-filter), a substring
// search on cn (a scan of the container) and a sizeLimit search. Prints entries/s and
// latency percentiles.
//
//   hpd_bench [--entries N] [--queries N]
// A private PostgreSQL cluster is started (tests/support/pg_cluster: fsync and
// synchronous_commit off).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "hpd/hpd_service.hpp"
#include "hpd/migrations.hpp"
#include "tests/support/pg_cluster.hpp"

namespace hy = hareyaka;
namespace dsml = hy::hpd::dsml;
using Clock = std::chrono::steady_clock;

namespace {

double micros(Clock::duration d) {
  return std::chrono::duration<double, std::micro>(d).count();
}

void report(const char* what, std::vector<double> us, std::size_t found) {
  std::sort(us.begin(), us.end());
  std::printf("%-34s n=%zu  p50=%.0f us  p99=%.0f us  max=%.0f us  (entries returned: %zu)\n", what,
              us.size(), us[us.size() / 2], us[us.size() * 99 / 100], us.back(), found);
}

}  // namespace

int main(int argc, char** argv) {
  int entries = 20000;
  int queries = 200;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--entries"))
      entries = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--queries"))
      queries = std::atoi(argv[i + 1]);
  }
  {
    auto pool = hy::testing::fresh_pool({&hy::hpd::migrations()}, 2);
    hy::hpd::HpdService service(*pool, {});
    const hy::hpd::HpdCaller feeder{.name = "bench", .may_feed = true};
    const std::string base = "ou=HCProfessional," + std::string(hy::hpd::kDefaultBaseDn);
    const auto start = Clock::now();
    for (int i = 0; i < entries; ++i) {
      dsml::AddRequest a;
      const std::string uid = "user" + std::to_string(i);
      a.entry.dn = "uid=" + uid + "," + base;
      a.entry.add("objectClass", {"top", "person", "inetOrgPerson", "HCProfessional"});
      a.entry.add("uid", {uid});
      a.entry.add("cn", {"Name" + std::to_string(i % 997) + " Family" + std::to_string(i)});
      a.entry.add("sn", {"Family" + std::to_string(i)});
      a.entry.add("hcIdentifier", {"1.2.392.200284.33.1001:staff:" + uid + ":Active"});
      a.entry.add("hcSpecialization", {i % 2 ? "Internal medicine" : "Surgery"});
      if (service.add(a, feeder).code != dsml::ResultCode::kSuccess) {
        std::fprintf(stderr, "add %d failed\n", i);
        return 1;
      }
    }
    const double feed_s = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf("ITI-59 addRequest (one tx each)    %d entries in %.1f s = %.0f entries/s\n",
                entries, feed_s, entries / feed_s);

    // As autovacuum would after a bulk load.
    hy::pg::transact(*pool, [](hy::pg::Tx& tx) { tx.exec_trusted("ANALYZE hpd_entries"); });
    if (std::getenv("HPD_BENCH_EXPLAIN")) {
      hy::pg::transact(*pool, [](hy::pg::Tx& tx) {
        for (const auto& row : tx.exec_trusted(
                 "EXPLAIN ANALYZE WITH m AS MATERIALIZED (SELECT * FROM hpd_entries WHERE match @> "
                 "'{\"uid\":[\"user5\"]}'::jsonb AND parent_norm = "
                 "'ou=hcprofessional,dc=hpd,o=hareyaka,c=jp' AND dn_norm > '') SELECT * FROM m "
                 "ORDER BY dn_norm LIMIT 500"))
          std::printf("%s\n", row[0].c_str());
      });
    }
    auto run = [&](const char* what, auto make, int n) {
      std::vector<double> us;
      std::size_t found = 0;
      for (int q = 0; q < n; ++q) {
        dsml::SearchRequest r = make(q);
        const auto t0 = Clock::now();
        auto res = service.search(r);
        us.push_back(micros(Clock::now() - t0));
        found += res.entries.size();
      }
      report(what, us, found);
    };
    auto request = [&](dsml::Filter f) {
      dsml::SearchRequest r;
      r.dn = std::string(hy::hpd::kDefaultBaseDn);
      r.filter = std::move(f);
      return r;
    };
    run(
        "ITI-58 equality uid (indexed)",
        [&](int q) {
          dsml::Filter f;
          f.kind = dsml::Filter::Kind::kEqualityMatch;
          f.attribute = "uid";
          f.value = "user" + std::to_string((q * 7919) % entries);
          return request(f);
        },
        queries);
    run(
        "ITI-58 substrings cn (scan)",
        [&](int q) {
          dsml::Filter f;
          f.kind = dsml::Filter::Kind::kSubstrings;
          f.attribute = "cn";
          f.final_part = "Family" + std::to_string((q * 7919) % entries);
          return request(f);
        },
        std::max(5, queries / 20));
    run(
        "ITI-58 present, sizeLimit 100",
        [&](int) {
          dsml::Filter f;
          f.kind = dsml::Filter::Kind::kPresent;
          f.attribute = "hcSpecialization";
          auto r = request(f);
          r.size_limit = 100;
          return r;
        },
        std::max(5, queries / 10));
  }
  hy::testing::PgCluster::shutdown();
  return 0;
}
