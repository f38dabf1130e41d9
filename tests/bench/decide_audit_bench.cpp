// Decision + audit append per request: what every viewer request costs before it fans out.
// Each request runs decide() and appends the decision to the hash-chained audit log in one
// transaction (the chain-head row lock is taken last, so it is held only until commit).
// Prints requests/s and latency percentiles, and the same for decide() alone.
//
//   decide_audit_bench [--seconds N] [--threads N] [--patients N] [--db CONNINFO]
// Without --db a private PostgreSQL cluster is started (tests/support/pg_cluster: fsync and
// synchronous_commit off). With --db the database must be empty; migrations are applied.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "consent/decision.hpp"
#include "consent/migrations.hpp"
#include "consent/pg_consent_store.hpp"
#include "hpd/migrations.hpp"
#include "hpd/oid.hpp"
#include "hpd/pg_directory_store.hpp"
#include "portal/audit/audit_log.hpp"
#include "portal/audit/audited_decision.hpp"
#include "portal/audit/migrations.hpp"
#include "tests/support/pg_cluster.hpp"

namespace hy = hareyaka;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  int seconds = 10;
  int threads = 4;
  int patients = 20000;
  std::string db;
};

struct Figures {
  double per_second = 0;
  double p50_us = 0, p99_us = 0, max_us = 0;
  long long requests = 0, allowed = 0;
};

std::string oid(int code) {
  return hy::hpd::make_facility_oid(hy::hpd::kDefaultNetworkRoot, "33", std::to_string(code))
      ->to_string();
}

hy::hpd::Facility facility(int code, hy::hpd::FacilityKind kind, bool discloses, bool views) {
  hy::hpd::Facility f;
  f.oid = oid(code);
  f.name_en = "Facility " + std::to_string(code);
  f.kind = kind;
  f.discloses = discloses;
  f.views = views;
  if (discloses) {
    f.gateway_url = "https://gw.example.jp";
    f.gateway_cert_sha256 = std::string(64, 'a');
  }
  return f;
}

Figures run(hy::pg::Pool& pool, const Options& o,
            const std::vector<hy::consent::UserContext>& users,
            const std::vector<std::string>& sources, bool with_audit) {
  std::atomic<bool> stop{false};
  std::vector<std::vector<double>> lat(o.threads);
  std::vector<long long> allowed(o.threads, 0);
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  for (int t = 0; t < o.threads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(1000 + t);
      while (!stop.load(std::memory_order_relaxed)) {
        const auto& user = users[rng() % users.size()];
        const int src = rng() % sources.size();
        const hy::consent::PatientRef patient{hy::hpd::patient_id_domain(sources[src]),
                                              "P" + std::to_string(rng() % o.patients)};
        const auto cat = hy::consent::kAllCategories[rng() % hy::consent::kAllCategories.size()];
        const auto t0 = Clock::now();
        const auto now = hy::hpd::Clock::now();
        if (with_audit) {
          hy::audit::AccessRequest req{user, patient, sources[src], cat, "", "bench"};
          if (hy::audit::decide_and_audit(pool, req, now).decision.allowed)
            ++allowed[t];
        } else {
          hy::consent::Decider decider(pool);
          if (decider.decide(user, patient, sources[src], cat, now).allowed)
            ++allowed[t];
        }
        lat[t].push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(o.seconds));
  stop = true;
  for (auto& th : threads)
    th.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  Figures f;
  for (int t = 0; t < o.threads; ++t) {
    all.insert(all.end(), lat[t].begin(), lat[t].end());
    f.allowed += allowed[t];
  }
  std::sort(all.begin(), all.end());
  f.requests = static_cast<long long>(all.size());
  if (all.empty())
    return f;
  f.per_second = all.size() / elapsed;
  f.p50_us = all[all.size() / 2];
  f.p99_us = all[std::min(all.size() - 1, all.size() * 99 / 100)];
  f.max_us = all.back();
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--seconds")
      o.seconds = std::stoi(argv[i + 1]);
    else if (a == "--threads")
      o.threads = std::stoi(argv[i + 1]);
    else if (a == "--patients")
      o.patients = std::stoi(argv[i + 1]);
    else if (a == "--db")
      o.db = argv[i + 1];
    else {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return 2;
    }
  }
  const std::vector<const hy::pg::MigrationSet*> sets = {
      &hy::hpd::migrations(), &hy::consent::migrations(), &hy::audit::migrations()};
  std::unique_ptr<hy::pg::Pool> pool;
  if (o.db.empty()) {
    pool = hy::testing::fresh_pool(sets, o.threads + 1);
  } else {
    pool = std::make_unique<hy::pg::Pool>(
        hy::pg::PoolSettings{.conninfo = o.db, .size = o.threads + 1});
    hy::pg::apply_migrations(*pool, sets);
  }

  // A network: 4 disclosing hospitals, 60 viewing facilities of every kind, a user of
  // every profession at each, consents for two thirds of the patients at each source (a
  // mix of single-viewer, all-facility, scoped, expired and withdrawn).
  hy::hpd::PgDirectoryStore dir(*pool);
  hy::consent::PgConsentStore consents(*pool);
  std::vector<std::string> sources, viewers;
  for (int s = 0; s < 4; ++s) {
    dir.create_facility(facility(100 + s, hy::hpd::FacilityKind::kHospital, true, true));
    sources.push_back(oid(100 + s));
  }
  std::vector<hy::consent::UserContext> users;
  for (int v = 0; v < 60; ++v) {
    auto kind = hy::hpd::kAllFacilityKinds[v % hy::hpd::kAllFacilityKinds.size()];
    dir.create_facility(facility(1000 + v, kind, false, true));
    viewers.push_back(oid(1000 + v));
    for (auto p : hy::hpd::kAllProfessions) {
      hy::hpd::User u;
      u.facility_oid = oid(1000 + v);
      u.profession = p;
      u.login_id = "u" + std::to_string(v) + "." + std::string(hy::hpd::to_string(p));
      users.push_back({dir.create_user(u), u.login_id, p, u.facility_oid});
    }
  }
  const auto now = hy::hpd::Clock::now();
  std::mt19937 rng(7);
  long long given = 0;
  for (const auto& src : sources) {
    hy::pg::transact(*pool, [&](hy::pg::Tx& tx) {
      for (int i = 0; i < o.patients; ++i) {
        if (i % 3 == 2)
          continue;
        hy::consent::NewConsent c;
        c.patient = {hy::hpd::patient_id_domain(src), "P" + std::to_string(i)};
        c.source_facility = src;
        if (i % 5 != 0)
          c.viewer_facility = viewers[rng() % viewers.size()];
        if (i % 7 == 0)
          c.scope =
              std::set{hy::consent::Category::kDiagnoses, hy::consent::Category::kPrescriptions};
        c.starts_at = now - std::chrono::hours(24);
        if (i % 11 == 0)
          c.expires_at = now - std::chrono::hours(1);
        c.registered_by = "bench";
        auto r = hy::consent::PgConsentStore::give_in(tx, c, now);
        if (i % 13 == 0)
          hy::consent::PgConsentStore::withdraw_in(tx, r.id, "bench", "r", now);
        ++given;
      }
    });
  }
  hy::pg::transact(*pool, [](hy::pg::Tx& tx) { tx.exec_trusted("ANALYZE"); });
  std::printf(
      "setup: %zu sources, %zu viewing facilities, %zu users, %lld consents, %d threads, %d s\n",
      sources.size(), viewers.size(), users.size(), given, o.threads, o.seconds);

  auto d = run(*pool, o, users, sources, false);
  std::printf(
      "decide only:          %8.0f decisions/s  p50 %6.0f us  p99 %6.0f us  max %7.0f us  (%lld "
      "requests, %lld allowed)\n",
      d.per_second, d.p50_us, d.p99_us, d.max_us, d.requests, d.allowed);
  auto a = run(*pool, o, users, sources, true);
  std::printf(
      "decide + audit append: %8.0f decisions/s  p50 %6.0f us  p99 %6.0f us  max %7.0f us  (%lld "
      "requests, %lld allowed)\n",
      a.per_second, a.p50_us, a.p99_us, a.max_us, a.requests, a.allowed);
  hy::audit::AuditLog log(*pool);
  const auto t0 = Clock::now();
  auto v = log.verify_chain();
  const double vs = std::chrono::duration<double>(Clock::now() - t0).count();
  std::printf("verify_chain: %s, %lld records in %.2f s (%.0f records/s)\n", v.ok ? "OK" : "BROKEN",
              static_cast<long long>(v.checked), vs, v.checked / vs);
  hy::testing::PgCluster::shutdown();
  return v.ok ? 0 : 1;
}
