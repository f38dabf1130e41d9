#include "common/pg.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "common/error.hpp"
#include "common/migrations.hpp"
#include "tests/support/pg_cluster.hpp"

namespace hareyaka::pg {
namespace {

const MigrationSet kSet = {
    {"demo", 1, "counters", "CREATE TABLE counters (id int PRIMARY KEY, n int NOT NULL);"},
    {"demo", 2, "seed", "INSERT INTO counters VALUES (1, 0);"},
};

constexpr Statement kIncrement{"demo_increment", "UPDATE counters SET n = n + 1 WHERE id = 1"};
constexpr Statement kRead{"demo_read", "SELECT n FROM counters WHERE id = 1"};
constexpr Statement kInsert{"demo_insert", "INSERT INTO counters VALUES ($1, $2)"};

int read_counter(Pool& pool) {
  return transact(pool, [](Tx& tx) { return tx.exec(kRead)[0][0].as<int>(); });
}

TEST(Migrations, AppliesOnceAndIsIdempotent) {
  auto pool = testing::fresh_pool();
  auto first = apply_migrations(*pool, {&kSet});
  EXPECT_EQ(first.applied, 2);
  auto second = apply_migrations(*pool, {&kSet});
  EXPECT_EQ(second.applied, 0);
  EXPECT_EQ(second.already_present, 2);
  EXPECT_EQ(read_counter(*pool), 0);
}

TEST(Migrations, ConcurrentStartsApplyEachMigrationExactlyOnce) {
  const std::string db = testing::fresh_database();
  std::atomic<int> applied{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      Pool pool({.conninfo = db, .size = 1});
      applied += apply_migrations(pool, {&kSet}).applied;
    });
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(applied.load(), 2);
  Pool pool({.conninfo = db, .size = 1});
  EXPECT_EQ(read_counter(pool), 0);  // the seed row was inserted once
}

TEST(Migrations, EditedMigrationStopsTheStart) {
  auto pool = testing::fresh_pool({&kSet});
  MigrationSet edited = kSet;
  edited[1].sql = "INSERT INTO counters VALUES (1, 42);";
  try {
    apply_migrations(*pool, {&edited});
    FAIL() << "an edited migration must be refused";
  } catch (const Error& e) {
    EXPECT_NE(e.internal().find("changed after it was applied"), std::string::npos);
  }
}

TEST(UnitOfWork, RetriesSerializationFailuresUntilAllIncrementsLand) {
  auto pool = testing::fresh_pool({&kSet}, 4);
  constexpr int kThreads = 4, kEach = 25;
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < kEach; ++j) {
        transact(*pool,
                 [&](Tx& tx) {
                   int n = tx.exec(kRead)[0][0].as<int>();
                   (void)n;
                   tx.exec(kIncrement);
                 },
                 {.isolation = Isolation::kSerializable, .max_attempts = 50});
      }
    });
  }
  for (auto& t : threads)
    t.join();
  // Every increment landed exactly once, whatever was rolled back and retried on the way.
  EXPECT_EQ(read_counter(*pool), kThreads * kEach);
}

TEST(UnitOfWork, RetriesAfterASerializationFailureAndAppliesOnce) {
  auto pool = testing::fresh_pool({&kSet}, 2);
  int calls = 0;
  transact(*pool, [&](Tx& tx) {
    tx.exec(kIncrement);
    if (++calls == 1)
      throw pqxx::serialization_failure("forced");
  });
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(read_counter(*pool), 1);  // the first attempt was rolled back
}

TEST(UnitOfWork, GivesUpAfterBoundedAttempts) {
  auto pool = testing::fresh_pool({&kSet}, 2);
  int calls = 0;
  EXPECT_THROW(transact(*pool,
                        [&](Tx&) {
                          ++calls;
                          throw pqxx::serialization_failure("forced");
                        },
                        {.max_attempts = 3}),
               Error);
  EXPECT_EQ(calls, 3);
}

TEST(UnitOfWork, UniqueViolationIsConflictWithoutRowValues) {
  auto pool = testing::fresh_pool({&kSet});
  try {
    transact(*pool, [](Tx& tx) { tx.exec(kInsert, 1, 7); });
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kConflict);
    EXPECT_NE(e.internal().find("23505"), std::string::npos);
    EXPECT_NE(e.internal().find("demo_insert"), std::string::npos);
    // The server's DETAIL would quote the key value; it must not reach our messages.
    EXPECT_EQ(e.internal().find("(1)"), std::string::npos);
  }
}

TEST(UnitOfWork, RollsBackOnException) {
  auto pool = testing::fresh_pool({&kSet});
  EXPECT_THROW(transact(*pool,
                        [](Tx& tx) {
                          tx.exec(kIncrement);
                          throw std::runtime_error("boom");
                        }),
               std::runtime_error);
  EXPECT_EQ(read_counter(*pool), 0);
}

TEST(UnitOfWork, StatementTimeoutIsATimeoutErrorAndEndsWithTheTransaction) {
  auto pool = testing::fresh_pool({&kSet});
  constexpr Statement kSleep{"demo_sleep", "SELECT pg_sleep(5)"};
  try {
    transact(*pool, [&](Tx& tx) {
      tx.exec(kIncrement);
      set_statement_timeout(tx, std::chrono::milliseconds(50));
      tx.exec(kSleep);
    });
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kTimeout);
    EXPECT_NE(e.internal().find("57014"), std::string::npos);
    EXPECT_NE(e.internal().find("demo_sleep"), std::string::npos);
  }
  EXPECT_EQ(read_counter(*pool), 0);  // rolled back
  // SET LOCAL: the pooled connection's next transaction has no limit.
  constexpr Statement kShow{"demo_show_timeout", "SELECT current_setting('statement_timeout')"};
  EXPECT_EQ(transact(*pool, [&](Tx& tx) { return tx.exec(kShow)[0][0].as<std::string>(); }), "0");
}

TEST(UnitOfWork, AutocommitReadRunsOutsideATransaction) {
  auto pool = testing::fresh_pool({&kSet});
  constexpr Statement kXid{"demo_xid", "SELECT txid_current()"};
  auto two_xids = [&](Tx& tx) {
    return tx.exec(kXid)[0][0].as<std::int64_t>() != tx.exec(kXid)[0][0].as<std::int64_t>();
  };
  // Each statement is its own transaction in autocommit, one block otherwise.
  const bool autocommit = read(*pool, two_xids);
  EXPECT_FALSE(transact(*pool, two_xids));
  EXPECT_TRUE(autocommit);
  EXPECT_EQ(read(*pool, [](Tx& tx) { return tx.exec(kRead)[0][0].as<int>(); }), 0);
  // Errors are translated the same way as in a transaction.
  try {
    read(*pool, [](Tx& tx) { return tx.exec(kInsert, 1, 7).affected_rows(); });
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kConflict);
  }
}

TEST(Pool, PingAndUnreachableServer) {
  auto pool = testing::fresh_pool();
  EXPECT_TRUE(pool->ping());
  Pool bad({.conninfo = "host=/nonexistent dbname=x user=y", .size = 1});
  EXPECT_FALSE(bad.ping());
  try {
    bad.acquire();
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnavailable);
  }
}

}  // namespace
}  // namespace hareyaka::pg
