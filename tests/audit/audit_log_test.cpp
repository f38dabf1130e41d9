#include "portal/audit/audit_log.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <thread>

#include "common/error.hpp"
#include "portal/audit/migrations.hpp"
#include "tests/support/pg_cluster.hpp"
#include "tests/support/process.hpp"

namespace hareyaka::audit {
namespace {

using std::chrono::seconds;

AuditEvent view(const std::string& user, const std::string& local_id,
                Outcome o = Outcome::kSuccess) {
  AuditEvent e;
  e.type = EventType::kView;
  e.outcome = o;
  e.actor_user = user;
  e.actor_profession = "doctor";
  e.actor_facility = "1.2.392.200284.33.201";
  e.patient_authority = "1.2.392.200284.33.100.1";
  e.patient_local_id = local_id;
  e.source_facility = "1.2.392.200284.33.100";
  e.category = "diagnoses";
  e.reason = o == Outcome::kSuccess ? "" : "no_consent";
  e.request_id = "req-" + local_id;
  return e;
}

class AuditTest : public ::testing::Test {
 protected:
  std::unique_ptr<pg::Pool> pool_ = testing::fresh_pool({&migrations()});
  AuditLog log_{*pool_};
  hpd::TimePoint t0_ = hpd::Clock::now();

  void fill(int n) {
    for (int i = 1; i <= n; ++i) {
      log_.append(view(i % 2 ? "dr.a" : "dr.b", "P" + std::to_string(i % 5)), t0_ + seconds(i));
    }
  }
  void superuser_exec(const std::string& sql) {
    pg::transact(*pool_, [&](pg::Tx& tx) { tx.exec_trusted(sql); });
  }
  testing::RunResult run_verify() {
    testing::TempDir dir;
    const std::string file = dir.path() + "/db";
    std::ofstream(file) << pool_->settings().conninfo << "\n";
    return testing::run({std::string(HAREYAKA_BINARY_DIR) + "/portal/audit/hareyaka-audit-verify",
                         "--db-file", file, "--batch", "7"});
  }
};

TEST_F(AuditTest, AppendsChainAndVerifies) {
  auto first = log_.append(view("dr.a", "P1"), t0_);
  EXPECT_EQ(first.seq, 1);
  EXPECT_EQ(first.prev_hash, kGenesisHash);
  EXPECT_EQ(first.hash, compute_hash(first));
  auto second = log_.append(view("dr.a", "P2"), t0_);
  EXPECT_EQ(second.seq, 2);
  EXPECT_EQ(second.prev_hash, first.hash);
  fill(40);
  auto v = log_.verify_chain(9);
  EXPECT_TRUE(v.ok) << v.what;
  EXPECT_EQ(v.checked, 42);
  EXPECT_EQ(v.head_seq, 42);
  auto out = run_verify();
  EXPECT_EQ(out.exit_code, 0) << out.output;
  EXPECT_NE(out.output.find("OK: 42 records"), std::string::npos) << out.output;

  // The stored row reads back to the same hash (time and text survive the round trip).
  auto back = log_.fetch_after(0, 1);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(compute_hash(back[0]), first.hash);
}

TEST_F(AuditTest, AppendAllChainsOneRequestsEventsInOrder) {
  auto before = log_.append(view("dr.a", "P0"), t0_);
  EXPECT_TRUE(log_.append_all({}, t0_).empty());
  auto batch = log_.append_all(
      {view("dr.a", "P1"), view("dr.a", "P2", Outcome::kDenied), view("dr.a", "P3")},
      t0_ + seconds(1));
  ASSERT_EQ(batch.size(), 3u);
  EXPECT_EQ(batch[0].seq, 2);
  EXPECT_EQ(batch[0].prev_hash, before.hash);
  for (std::size_t i = 0; i < batch.size(); ++i) {
    EXPECT_EQ(batch[i].hash, compute_hash(batch[i]));
    if (i > 0)
      EXPECT_EQ(batch[i].prev_hash, batch[i - 1].hash);
  }
  EXPECT_EQ(batch[1].outcome, Outcome::kDenied);
  EXPECT_EQ(batch[2].patient_local_id, "P3");
  // The head moved past the whole batch: the next single append follows its last record.
  auto after = log_.append(view("dr.b", "P4"), t0_ + seconds(2));
  EXPECT_EQ(after.seq, 5);
  EXPECT_EQ(after.prev_hash, batch[2].hash);
  auto v = log_.verify_chain(2);
  EXPECT_TRUE(v.ok) << v.what << " at " << v.broken_seq;
  EXPECT_EQ(v.checked, 5);
}

TEST_F(AuditTest, UpdateDeleteAndTruncateAreRejected) {
  fill(3);
  EXPECT_THROW(superuser_exec("UPDATE audit_log SET detail = 'x' WHERE seq = 2"), Error);
  EXPECT_THROW(superuser_exec("DELETE FROM audit_log WHERE seq = 3"), Error);
  EXPECT_THROW(superuser_exec("TRUNCATE audit_log"), Error);
  EXPECT_THROW(superuser_exec("UPDATE audit_chain_head SET seq = 1"), Error);
  EXPECT_TRUE(log_.verify_chain().ok);
}

TEST_F(AuditTest, AlteredRowIsDetectedAtItsSeq) {
  fill(30);
  superuser_exec("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only");
  superuser_exec("UPDATE audit_log SET actor_user = 'someone.else' WHERE seq = 17");
  superuser_exec("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only");
  auto v = log_.verify_chain(4);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.broken_seq, 17);
  EXPECT_NE(v.what.find("altered"), std::string::npos) << v.what;
  EXPECT_EQ(v.checked, 16);
  auto out = run_verify();
  EXPECT_EQ(out.exit_code, 1) << out.output;
  EXPECT_NE(out.output.find("BROKEN at seq 17"), std::string::npos) << out.output;
}

TEST_F(AuditTest, RehashedRowBreaksTheNextLink) {
  fill(10);
  // A forger who recomputes the altered row's hash still breaks the link to seq 6.
  auto rows = log_.fetch_after(4, 1);
  AuditRecord forged = rows[0];
  forged.reason = "forged";
  forged.hash = compute_hash(forged);
  superuser_exec("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only");
  superuser_exec("UPDATE audit_log SET reason = 'forged', hash = '" + forged.hash +
                 "' WHERE seq = 5");
  auto v = log_.verify_chain();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.broken_seq, 6);
  EXPECT_NE(v.what.find("prev_hash"), std::string::npos) << v.what;
}

TEST_F(AuditTest, DeletedRowsAreDetected) {
  fill(12);
  superuser_exec("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only");
  superuser_exec("DELETE FROM audit_log WHERE seq = 8");
  auto v = log_.verify_chain(5);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.broken_seq, 8);
  EXPECT_NE(v.what.find("missing"), std::string::npos) << v.what;

  superuser_exec("DELETE FROM audit_log WHERE seq >= 8");  // cut the tail as well
  v = log_.verify_chain();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.broken_seq, 8);
}

TEST_F(AuditTest, ConcurrentAppendsFromTwoPoolsKeepOneChain) {
  pg::Pool other({.conninfo = pool_->settings().conninfo, .size = 2});
  AuditLog second(other);
  constexpr int kEach = 60;
  std::vector<std::thread> threads;
  std::mutex m;
  std::set<std::int64_t> seqs;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      AuditLog& log = t % 2 ? second : log_;
      for (int i = 0; i < kEach; ++i) {
        auto r =
            log.append(view("t" + std::to_string(t), "P" + std::to_string(i)), hpd::Clock::now());
        std::lock_guard lock(m);
        EXPECT_TRUE(seqs.insert(r.seq).second) << "seq " << r.seq << " handed out twice";
      }
    });
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(seqs.size(), 4u * kEach);
  EXPECT_EQ(*seqs.begin(), 1);
  EXPECT_EQ(*seqs.rbegin(), 4 * kEach);
  auto v = log_.verify_chain();
  EXPECT_TRUE(v.ok) << v.what << " at " << v.broken_seq;
  EXPECT_EQ(v.checked, 4 * kEach);
}

TEST_F(AuditTest, SearchAndAccessReportPageNewestFirst) {
  fill(25);  // P0..P4, dr.a on odd, dr.b on even
  auto denied = view("dr.c", "P1", Outcome::kDenied);
  log_.append(denied, t0_ + seconds(100));
  AuditEvent login;
  login.type = EventType::kLogin;
  login.actor_user = "dr.a";
  log_.append(login, t0_ + seconds(101));

  auto by_a = log_.search({.actor_user = "dr.a"}, {.limit = 100});
  EXPECT_EQ(by_a.items.size(), 14u);  // 13 views + 1 login
  for (std::size_t i = 1; i < by_a.items.size(); ++i) {
    EXPECT_GT(by_a.items[i - 1].seq, by_a.items[i].seq);
  }
  auto denials = log_.search({.outcome = Outcome::kDenied}, {});
  ASSERT_EQ(denials.items.size(), 1u);
  EXPECT_EQ(denials.items[0].reason, "no_consent");
  EXPECT_EQ(log_.search({.type = EventType::kLogin}, {}).items.size(), 1u);
  auto window = log_.search({.from = t0_ + seconds(5), .to = t0_ + seconds(10)}, {});
  EXPECT_EQ(window.items.size(), 5u);

  // Who looked at P1: views of P1 (seq 1, 6, 11, 16, 21) and the denied attempt.
  std::vector<std::int64_t> seen;
  hpd::PageRequest req{.limit = 4};
  do {
    auto page = log_.access_report("1.2.392.200284.33.100.1", "P1", req);
    for (auto& r : page.items) {
      EXPECT_EQ(r.patient_local_id, "P1");
      seen.push_back(r.seq);
    }
    req.after = page.next;
  } while (!req.after.empty());
  EXPECT_EQ(seen, (std::vector<std::int64_t>{26, 21, 16, 11, 6, 1}));
}

TEST_F(AuditTest, ExportCursorResumesWhereItStopped) {
  fill(10);
  EXPECT_EQ(log_.load_cursor("atna"), 0);
  auto batch = log_.fetch_after(log_.load_cursor("atna"), 4);
  ASSERT_EQ(batch.size(), 4u);
  EXPECT_EQ(batch.front().seq, 1);
  log_.advance_cursor("atna", batch.back().seq);
  log_.advance_cursor("atna", 2);  // a late confirmation never moves it back
  EXPECT_EQ(log_.load_cursor("atna"), 4);
  // The collector was down for a while; records kept accumulating locally.
  fill(5);
  std::int64_t cursor = log_.load_cursor("atna");
  std::vector<std::int64_t> exported;
  for (;;) {
    auto b = log_.fetch_after(cursor, 3);
    if (b.empty())
      break;
    for (auto& r : b)
      exported.push_back(r.seq);
    cursor = b.back().seq;
    log_.advance_cursor("atna", cursor);
  }
  ASSERT_EQ(exported.size(), 11u);
  EXPECT_EQ(exported.front(), 5);
  EXPECT_EQ(exported.back(), 15);
}

TEST(AuditPlans, ReportAndExportUseIndexes) {
  auto pool = testing::fresh_pool({&migrations()}, 1);
  AuditLog log(*pool);
  log.append(view("dr.a", "P1"), hpd::Clock::now());
  log.access_report("1.2.392.200284.33.100.1", "P1", {});
  log.fetch_after(0, 10);
  auto plan = [&](const std::string& execute) {
    return pg::transact(*pool, [&](pg::Tx& tx) {
      tx.exec_trusted("SET LOCAL enable_seqscan = off");
      std::string out;
      for (const auto& row : tx.exec_trusted("EXPLAIN " + execute)) {
        out += row[0].as<std::string>() + "\n";
      }
      return out;
    });
  };
  auto report =
      plan("EXECUTE audit_access_report('1.2.392.200284.33.100.1', 'P1', 9223372036854775807, 50)");
  EXPECT_EQ(report.find("Seq Scan"), std::string::npos) << report;
  EXPECT_NE(report.find("audit_log_patient"), std::string::npos) << report;
  auto feed = plan("EXECUTE audit_fetch_after(0, 100)");
  EXPECT_EQ(feed.find("Seq Scan"), std::string::npos) << feed;
}

}  // namespace
}  // namespace hareyaka::audit
