// The HPD directory: ITI-59 feed throughput (addRequests, one transaction each) and ITI-58
// search latency, without HTTP: an equality search on uid (GIN pre-filter), substring
// searches on cn (the pg_trgm index: a common romaji part, a rare one, a kanji part, an
// initial) and a sizeLimit search. Prints entries/s and latency percentiles.
//
//   hpd_bench [--entries N] [--queries N] [--bulk N]
// --bulk N adds N more entries straight into hpd_entries (the rows the service writes, in
// transactions of 5,000), for a national-directory size (1,000,000) without feeding each.
// A private PostgreSQL cluster is started (tests/support/pg_cluster: fsync and
// synchronous_commit off).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "hpd/hpd_mapping.hpp"
#include "hpd/hpd_service.hpp"
#include "hpd/migrations.hpp"
#include "hpd/pg_hpd_entries.hpp"
#include "tests/support/hpd_filters.hpp"
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

// Common Japanese family names in romaji and kanji (several with "yama"), and given names.
constexpr const char* kFamily[][2] = {
    {"Sato", "佐藤"},       {"Suzuki", "鈴木"},    {"Takahashi", "高橋"}, {"Tanaka", "田中"},
    {"Watanabe", "渡辺"},   {"Ito", "伊藤"},       {"Yamamoto", "山本"},  {"Nakamura", "中村"},
    {"Kobayashi", "小林"},  {"Kato", "加藤"},      {"Yoshida", "吉田"},   {"Yamada", "山田"},
    {"Sasaki", "佐々木"},   {"Yamaguchi", "山口"}, {"Matsumoto", "松本"}, {"Inoue", "井上"},
    {"Kimura", "木村"},     {"Hayashi", "林"},     {"Shimizu", "清水"},   {"Yamazaki", "山崎"},
    {"Mori", "森"},         {"Abe", "阿部"},       {"Ikeda", "池田"},     {"Hashimoto", "橋本"},
    {"Yamashita", "山下"},  {"Ishikawa", "石川"},  {"Nakajima", "中島"},  {"Maeda", "前田"},
    {"Fujita", "藤田"},     {"Ogawa", "小川"},     {"Goto", "後藤"},      {"Okada", "岡田"},
    {"Hasegawa", "長谷川"}, {"Murakami", "村上"},  {"Kondo", "近藤"},     {"Ishii", "石井"},
    {"Saito", "斎藤"},      {"Sakamoto", "坂本"},  {"Endo", "遠藤"},      {"Aoki", "青木"},
    {"Nakayama", "中山"},   {"Nishimura", "西村"}, {"Fukuda", "福田"},    {"Ota", "太田"},
    {"Miura", "三浦"},      {"Fujiwara", "藤原"},  {"Okamoto", "岡本"},   {"Matsuda", "松田"},
};
constexpr const char* kGiven[] = {"Hiroshi", "Takashi", "Akira",  "Yuki",    "Kenji",
                                  "Makoto",  "Naoko",   "Yoko",   "Keiko",   "Tomoko",
                                  "Taro",    "Hanako",  "Ichiro", "Satoshi", "Ayumi"};

// A professional entry as the feed would add it: romaji cn, kanji displayName.
dsml::Entry professional(const std::string& base, int i) {
  const auto& fam = kFamily[(static_cast<std::uint64_t>(i) * 7919) % std::size(kFamily)];
  const char* given = kGiven[(static_cast<std::uint64_t>(i) * 104729) % std::size(kGiven)];
  dsml::Entry e;
  const std::string uid = "user" + std::to_string(i);
  e.dn = "uid=" + uid + "," + base;
  e.add("objectClass", {"top", "person", "inetOrgPerson", "HCProfessional"});
  e.add("uid", {uid});
  e.add("cn", {std::string(fam[0]) + " " + given + " " + std::to_string(i)});
  e.add("sn", {fam[0]});
  e.add("displayName", {std::string(fam[1]) + " " + std::to_string(i)});
  e.add("hcIdentifier", {"1.2.392.200284.33.1001:staff:" + uid + ":Active"});
  e.add("hcSpecialization", {i % 2 ? "Internal medicine" : "Surgery"});
  return e;
}

}  // namespace

int main(int argc, char** argv) {
  int entries = 20000;
  int queries = 200;
  int bulk = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--entries"))
      entries = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--queries"))
      queries = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--bulk"))
      bulk = std::atoi(argv[i + 1]);
  }
  {
    auto pool = hy::testing::fresh_pool({&hy::hpd::migrations()}, 2);
    hy::hpd::HpdService service(*pool, {});
    const hy::hpd::HpdCaller feeder{.name = "bench", .may_feed = true};
    const std::string base = "ou=HCProfessional," + std::string(hy::hpd::kDefaultBaseDn);
    const auto start = Clock::now();
    for (int i = 0; i < entries; ++i) {
      dsml::AddRequest a;
      a.entry = professional(base, i);
      if (service.add(a, feeder).code != dsml::ResultCode::kSuccess) {
        std::fprintf(stderr, "add %d failed\n", i);
        return 1;
      }
    }
    const double feed_s = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf("ITI-59 addRequest (one tx each)    %d entries in %.1f s = %.0f entries/s\n",
                entries, feed_s, entries / feed_s);

    if (bulk > 0) {
      const auto t0 = Clock::now();
      const auto parent = hy::hpd::dsml::parse_dn(base)->normalized();
      for (int from = entries; from < entries + bulk; from += 5000) {
        hy::pg::transact(*pool, [&](hy::pg::Tx& tx) {
          for (int i = from; i < std::min(from + 5000, entries + bulk); ++i) {
            hy::hpd::StoredEntry s;
            s.entry = professional(base, i);
            s.dn_norm = hy::hpd::dsml::parse_dn(s.entry.dn)->normalized();
            s.parent_norm = parent;
            hy::hpd::entries::insert(tx, s);
          }
        });
      }
      std::printf("bulk rows (5,000 per tx)           %d entries in %.1f s\n", bulk,
                  std::chrono::duration<double>(Clock::now() - t0).count());
      entries += bulk;
    }
    // As autovacuum would after a bulk load (VACUUM also merges the GIN pending lists).
    hy::pg::transact(*pool, [](hy::pg::Tx& tx) { tx.exec_trusted("ANALYZE hpd_entries"); });
    {
      auto c = pool->acquire();
      pqxx::nontransaction(c->raw()).exec("VACUUM hpd_entries");
    }
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
    auto substrings = [&](const char* attribute, std::optional<std::string> initial,
                          std::vector<std::string> any, std::optional<std::string> final_part) {
      return request(hy::testing::substrings_filter(attribute, std::move(initial), std::move(any),
                                                    std::move(final_part)));
    };
    run(
        "ITI-58 cn=*yama* (sizeLimit 500)",
        [&](int) { return substrings("cn", std::nullopt, {"yama"}, std::nullopt); }, queries);
    run(
        "ITI-58 cn=*<number>* (rare)",
        [&](int q) {
          return substrings("cn", std::nullopt, {" " + std::to_string((q * 7919) % entries)},
                            std::nullopt);
        },
        queries);
    run(
        "ITI-58 displayName=*山田 1* (kanji)",
        [&](int q) {
          return substrings("displayName", std::nullopt, {"山田 1" + std::to_string(q % 100)},
                            std::nullopt);
        },
        queries);
    run(
        "ITI-58 cn=nakayama hanako* (initial)",
        [&](int) { return substrings("cn", "nakayama hanako", {}, std::nullopt); }, queries);
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
