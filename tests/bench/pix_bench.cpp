// PIX identity manager benchmark: ITI-44 feeds/s with matching, and ITI-45 latency, over a
// store of N generated identities loaded with COPY. Drives pix::Service with SOAP bodies,
// i.e. everything the /pix/v3 route does except HTTP and TLS.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "pix/japanese_name.hpp"
#include "pix/pg_identity_store.hpp"
#include "pix/service.hpp"
#include "proto/hl7v3/feed.hpp"
#include "proto/hl7v3/pix_query.hpp"
#include "proto/hl7v3/soap.hpp"
#include "tests/pix/variant_generator.hpp"
#include "tests/support/pg_cluster.hpp"

namespace hareyaka::pix {
namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  long identities = 1000000;
  int seconds = 10;
  int threads = 4;
  bool feeds = true;  // --no-feeds: queries only (the 10M run)
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--identities"))
      o.identities = std::atol(argv[i + 1]);
    if (!std::strcmp(argv[i], "--seconds"))
      o.seconds = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--threads"))
      o.threads = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--feeds"))
      o.feeds = std::strcmp(argv[i + 1], "no") != 0;
  }
  return o;
}

std::string envelope(const std::string& action, const std::function<void(xml::Writer&)>& body) {
  hl7v3::Addressing a;
  a.action = action;
  a.message_id = "urn:uuid:00000000-0000-4000-8000-000000000000";
  return hl7v3::write_envelope(a, body);
}

hl7v3::Patient to_patient(const testing::GeneratedRecord& r) {
  hl7v3::Patient p;
  p.ids = {{r.key.authority, r.key.local_id, ""}};
  const Demographics& d = r.demographics;
  p.names = {{hl7v3::NameUse::kIdeographic, d.family_kanji, d.given_kanji, ""},
             {hl7v3::NameUse::kSyllabic, d.family_kana, d.given_kana, ""}};
  p.sex = d.sex == 'M' ? hl7v3::Sex::kMale : hl7v3::Sex::kFemale;
  p.birth_date = d.birth_date;
  if (!d.postal_code.empty())
    p.addresses.push_back({d.address, "", "", d.postal_code, "JP"});
  if (!d.phone.empty())
    p.telecoms.push_back("tel:" + d.phone);
  return p;
}

std::string feed_body(const testing::GeneratedRecord& r, long n) {
  hl7v3::PatientFeed f;
  f.header.id = {"1.2.392.200284.9", std::to_string(n), ""};
  f.header.creation_time = "20261124000000";
  f.header.sender = {r.key.authority + ".1", r.key.authority};
  f.header.receiver = {"1.2.392.200284.1.1", ""};
  f.patient = to_patient(r);
  return envelope("urn:hl7-org:v3:PRPA_IN201301UV02",
                  [&](xml::Writer& w) { hl7v3::write_feed(w, f); });
}

std::string query_body(const IdentityKey& k, long n) {
  hl7v3::PixQuery q;
  q.header.id = {"1.2.392.200284.9", "q" + std::to_string(n), ""};
  q.header.sender = {"1.2.392.200284.33.1.1", ""};
  q.query_id = {"1.2.392.200284.9.1", std::to_string(n), ""};
  q.patient_id = {k.authority, k.local_id, ""};
  return envelope("urn:hl7-org:v3:PRPA_IN201309UV02",
                  [&](xml::Writer& w) { hl7v3::write_pix_query(w, q); });
}

void load(pg::Pool& pool, const std::vector<testing::GeneratedRecord>& records, long count,
          int persons) {
  auto lease = pool.acquire();
  {
    pqxx::work tx(lease->raw());
    pqxx::stream_to persons_out(tx, "pix_persons", std::vector<std::string>{"id"});
    for (int p = 1; p <= persons; ++p)
      persons_out << std::make_tuple(std::to_string(p));
    persons_out.complete();
    tx.exec("SELECT setval('pix_person_seq', " + std::to_string(persons + 1) + ")");
    tx.exec(
        "INSERT INTO pix_domains (authority) SELECT DISTINCT '1.2.392.200284.33.' || g "
        "FROM generate_series(1, 200) g ON CONFLICT DO NOTHING");
    tx.commit();
  }
  const std::vector<std::string> columns = {
      "authority",    "local_id",       "person_id",     "family_kanji", "given_kanji",
      "family_kana",  "given_kana",     "birth_date",    "sex",          "address",
      "postal_code",  "phone",          "n_kana_family", "n_kana_given", "k_kana_family",
      "k_kana_given", "n_kanji_family", "n_kanji_given", "n_phone",      "n_postal",
      "link_origin",  "r_first",        "r_second"};
  // The secondary indexes are built once after the load (as a bulk load would), not row by
  // row: at 10M identities that is the difference between minutes and an hour.
  std::vector<std::string> index_ddl;
  {
    pqxx::work tx(lease->raw());
    for (const auto& r :
         tx.exec("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'pix_identities' "
                 "AND indexname <> 'pix_identities_pkey'")) {
      std::string ddl = r[1].as<std::string>();  // "... ON ONLY parent": build them all
      if (const auto at = ddl.find(" ON ONLY "); at != std::string::npos)
        ddl.replace(at, 9, " ON ");
      index_ddl.push_back(ddl);
      tx.exec("DROP INDEX " + tx.quote_name(r[0].as<std::string>()));
    }
    tx.commit();
  }
  constexpr long kBatch = 100000;
  for (long start = 0; start < count; start += kBatch) {
    pqxx::work tx(lease->raw());
    pqxx::stream_to out(tx, "pix_identities", columns);
    for (long i = start; i < std::min(count, start + kBatch); ++i) {
      const auto& r = records[i];
      const Demographics& d = r.demographics;
      const MatchRecord m = match_record(d);
      out << std::make_tuple(r.key.authority, r.key.local_id, std::to_string(r.truth + 1),
                             d.family_kanji, d.given_kanji, d.family_kana, d.given_kana,
                             m.birth_date, std::string(1, d.sex), d.address, d.postal_code, d.phone,
                             m.kana_family, m.kana_given, m.key_family, m.key_given, m.kanji_family,
                             m.kanji_given, m.phone, m.postal, std::string("new"), m.romaji_first,
                             m.romaji_second);
    }
    out.complete();
    tx.commit();
  }
  pqxx::nontransaction tx(lease->raw());
  tx.exec("SET maintenance_work_mem = '1GB'");
  for (const auto& ddl : index_ddl)
    tx.exec(ddl);
  tx.exec("ANALYZE");
}

double percentile(std::vector<double>& v, double p) {
  if (v.empty())
    return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * v.size()))];
}

struct Phase {
  std::vector<double> latencies_ms;
  long failures = 0;
  double seconds = 0;
};

// Calls `call(i)` for i = 0, 1, ... on o.threads threads until o.seconds pass or `limit`
// calls were made (-1: no limit); `call` returns whether the answer was the expected one.
Phase run_phase(const Options& o, long limit, const std::function<bool(long)>& call) {
  std::atomic<long> next{0}, failures{0};
  std::vector<std::vector<double>> lat(o.threads);
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::seconds(o.seconds);
  std::vector<std::thread> threads;
  for (int t = 0; t < o.threads; ++t) {
    threads.emplace_back([&, t] {
      while (Clock::now() < deadline) {
        const long i = next++;
        if (limit >= 0 && i >= limit)
          break;
        const auto a = Clock::now();
        if (!call(i))
          ++failures;
        lat[t].push_back(std::chrono::duration<double, std::milli>(Clock::now() - a).count());
      }
    });
  }
  for (auto& th : threads)
    th.join();
  Phase r;
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (auto& v : lat)
    r.latencies_ms.insert(r.latencies_ms.end(), v.begin(), v.end());
  r.failures = failures.load();
  return r;
}

void report(const char* what, const char* unit, Phase r, int digits) {
  const std::size_t n = r.latencies_ms.size();
  std::printf("%s: %zu in %.1f s = %.0f %s/s, p50 %.*f ms, p99 %.*f ms, failures %ld\n", what, n,
              r.seconds, n / r.seconds, unit, digits, percentile(r.latencies_ms, 0.5), digits,
              percentile(r.latencies_ms, 0.99), r.failures);
}

}  // namespace
}  // namespace hareyaka::pix

int main(int argc, char** argv) {
  using namespace hareyaka;
  using namespace hareyaka::pix;
  const Options o = parse(argc, argv);
  // PIX_BENCH_CONNINFO: an existing empty database to keep for inspection afterwards.
  std::unique_ptr<pg::Pool> pool;
  if (const char* conninfo = std::getenv("PIX_BENCH_CONNINFO")) {
    pool = std::make_unique<pg::Pool>(pg::PoolSettings{conninfo, o.threads + 2});
    pg::apply_migrations(*pool, {&migrations()});
  } else {
    pool = hareyaka::testing::fresh_pool({&migrations()}, o.threads + 2);
  }

  // With PIX_BENCH_CONNINFO, a database loaded by an earlier run is reused (queries only,
  // on identities sampled from it).
  bool reused = false;
  {
    auto lease = pool->acquire();
    pqxx::nontransaction tx(lease->raw());
    reused = tx.exec("SELECT count(*) FROM pix_identities")[0][0].as<long>() >= o.identities;
  }
  // ~2 records per person; the first `identities` are loaded, the rest are fed.
  pix::testing::GeneratorSettings gs;
  gs.facilities = 100;
  gs.persons = static_cast<int>(o.identities * 0.55);
  auto t0 = Clock::now();
  std::vector<pix::testing::GeneratedRecord> records;
  std::vector<IdentityKey> query_keys;
  long loaded = o.identities;
  if (!reused) {
    records = pix::testing::generate_records(gs);
    loaded = std::min<long>(o.identities, static_cast<long>(records.size()));
    load(*pool, records, loaded, gs.persons);
    for (long i = 0; i < 50000; ++i)
      query_keys.push_back(records[(i * 7919) % loaded].key);
  } else {
    auto lease = pool->acquire();
    pqxx::nontransaction tx(lease->raw());
    const double percent = std::min(100.0, 100.0 * 60000 / static_cast<double>(o.identities));
    for (const auto& r : tx.exec("SELECT authority, local_id FROM pix_identities TABLESAMPLE "
                                 "BERNOULLI (" +
                                 std::to_string(percent) + ") LIMIT 50000")) {
      query_keys.push_back({r[0].as<std::string>(), r[1].as<std::string>()});
    }
  }
  const double load_s = std::chrono::duration<double>(Clock::now() - t0).count();
  std::printf("%s %ld identities (%d persons) in %.1f s\n", reused ? "reused" : "loaded", loaded,
              gs.persons, load_s);

  PgIdentityStore store(*pool, {});
  ServiceSettings ss;
  ss.device = {"1.2.392.200284.1.1", "1.2.392.200284"};
  Service service(store, ss);

  // ITI-44: feed the records not loaded (variants of loaded persons and new persons).
  if (!reused && o.feeds) {
    std::vector<std::string> feeds;
    for (long i = loaded; i < static_cast<long>(records.size()) && feeds.size() < 200000; ++i)
      feeds.push_back(feed_body(records[i], i));
    const Phase r = run_phase(o, static_cast<long>(feeds.size()), [&](long i) {
      SoapResult a = service.handle_pix_soap(feeds[i], "application/soap+xml");
      return a.http_status == 200 && a.body.find("\"AA\"") != std::string::npos;
    });
    report("ITI-44 feeds", "feeds", r, 2);
  }

  // ITI-45: PIX queries for random loaded identities.
  std::vector<std::string> queries;
  for (std::size_t i = 0; i < query_keys.size(); ++i)
    queries.push_back(query_body(query_keys[i], static_cast<long>(i)));
  {
    const Phase r = run_phase(o, -1, [&](long i) {
      const auto& q = queries[i % static_cast<long>(queries.size())];
      SoapResult a = service.handle_pix_soap(q, "application/soap+xml");
      // NF is a correct answer too: a patient known at one facility only has no other id
      // (the queried one is never returned, ITI TF-2b 3.45.4.2.3).
      return a.http_status == 200 && (a.body.find("code=\"OK\"") != std::string::npos ||
                                      a.body.find("code=\"NF\"") != std::string::npos);
    });
    report("ITI-45 queries", "queries", r, 3);
  }
  hareyaka::testing::PgCluster::shutdown();
  return 0;
}
