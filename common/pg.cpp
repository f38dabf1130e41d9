#include "common/pg.hpp"

#include <algorithm>
#include <random>
#include <thread>

#include "common/error.hpp"

namespace hareyaka::pg {

Connection::Connection(const std::string& conninfo) : conn_(conninfo) {}

void Connection::ensure_prepared(const Statement& s) {
  if (prepared_.contains(s.name))
    return;
  conn_.prepare(s.name, s.sql);
  prepared_.insert(s.name);
}

Lease::Lease(Pool& pool, std::unique_ptr<Connection> conn) : pool_(&pool), conn_(std::move(conn)) {}

Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_), conn_(std::move(other.conn_)), broken_(other.broken_) {}

Lease::~Lease() {
  if (conn_)
    pool_->release(std::move(conn_), broken_);
}

Pool::Pool(PoolSettings settings) : settings_(std::move(settings)) {
  if (settings_.size < 1)
    settings_.size = 1;
}

Lease Pool::acquire() {
  std::unique_lock lock(mutex_);
  const auto deadline = std::chrono::steady_clock::now() + settings_.acquire_timeout;
  for (;;) {
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(conn));
    }
    if (open_ < settings_.size) {
      ++open_;
      lock.unlock();
      try {
        return Lease(*this, std::make_unique<Connection>(settings_.conninfo));
      } catch (const std::exception&) {
        lock.lock();
        --open_;
        available_.notify_one();
        // The libpq message may echo the connection string; keep it out of the log.
        throw Error(ErrorCode::kUnavailable, "database unavailable",
                    "cannot connect to PostgreSQL");
      }
    }
    if (available_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        open_ >= settings_.size) {
      throw Error(ErrorCode::kUnavailable, "database busy",
                  "timed out waiting for a pooled PostgreSQL connection");
    }
  }
}

void Pool::release(std::unique_ptr<Connection> conn, bool broken) {
  std::lock_guard lock(mutex_);
  if (broken || !conn->raw().is_open()) {
    --open_;
  } else {
    idle_.push_back(std::move(conn));
  }
  available_.notify_one();
}

bool Pool::ping() {
  try {
    transact(*this, [](Tx& tx) { tx.exec_trusted("SELECT 1"); }, {.max_attempts = 1});
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

namespace {

template <typename Work>
void run_once(Connection& conn, const std::function<void(Tx&)>& fn, const char*& stmt) {
  Work work(conn.raw());
  Tx tx(conn, work);
  try {
    fn(tx);
  } catch (...) {
    stmt = tx.current_statement();
    throw;
  }
  stmt = "COMMIT";
  work.commit();
}

void backoff(int attempt) {
  thread_local std::mt19937 rng{std::random_device{}()};
  const int base_ms = 2 << std::min(attempt, 6);
  std::uniform_int_distribution<int> jitter(0, base_ms);
  std::this_thread::sleep_for(std::chrono::milliseconds(base_ms + jitter(rng)));
}

std::string describe(const std::exception& e, const char* stmt) {
  auto* sql = dynamic_cast<const pqxx::sql_error*>(&e);
  return std::string("database error sqlstate=") + (sql ? sql->sqlstate() : "rollback") +
         " statement=" + (stmt ? stmt : "");
}

}  // namespace

void set_statement_timeout(Tx& tx, std::chrono::milliseconds limit) {
  static constexpr Statement kSetTimeout{"pg_set_statement_timeout",
                                         "SELECT set_config('statement_timeout', $1, true)"};
  tx.exec(kSetTimeout, std::to_string(std::max<std::int64_t>(1, limit.count())) + "ms");
}

void force_custom_plans(Tx& tx) {
  static constexpr Statement kCustomPlans{
      "pg_force_custom_plans", "SELECT set_config('plan_cache_mode', 'force_custom_plan', true)"};
  tx.exec(kCustomPlans);
}

void transact_void(Pool& pool, const std::function<void(Tx&)>& fn, TransactOptions options) {
  bool reconnected = false;
  for (int attempt = 1;; ++attempt) {
    Lease lease = pool.acquire();
    const char* stmt = "";
    try {
      switch (options.isolation) {
        case Isolation::kReadCommitted:
          run_once<pqxx::transaction<pqxx::read_committed>>(*lease, fn, stmt);
          break;
        case Isolation::kRepeatableRead:
          run_once<pqxx::transaction<pqxx::repeatable_read>>(*lease, fn, stmt);
          break;
        case Isolation::kSerializable:
          run_once<pqxx::transaction<pqxx::serializable>>(*lease, fn, stmt);
          break;
        case Isolation::kAutocommit:
          run_once<pqxx::nontransaction>(*lease, fn, stmt);
          break;
      }
      return;
    } catch (const pqxx::in_doubt_error&) {
      lease.discard();
      throw Error(ErrorCode::kUnavailable, "database unavailable",
                  "connection lost during COMMIT; outcome unknown");
    } catch (const pqxx::transaction_rollback& e) {
      // serialization_failure, deadlock_detected, statement_completion_unknown
      if (attempt >= options.max_attempts) {
        throw Error(ErrorCode::kConflict, "concurrent update, try again",
                    describe(e, stmt) + " after " + std::to_string(attempt) + " attempts");
      }
      backoff(attempt);
    } catch (const pqxx::broken_connection&) {
      lease.discard();
      if (reconnected) {
        throw Error(ErrorCode::kUnavailable, "database unavailable", "PostgreSQL connection lost");
      }
      reconnected = true;
    } catch (const pqxx::unique_violation& e) {
      throw Error(ErrorCode::kConflict, "already exists", describe(e, stmt));
    } catch (const pqxx::integrity_constraint_violation& e) {
      throw Error(ErrorCode::kUnprocessable, "constraint violated", describe(e, stmt));
    } catch (const pqxx::sql_error& e) {
      if (e.sqlstate() == "23P01") {
        throw Error(ErrorCode::kConflict, "conflicts with an existing entry", describe(e, stmt));
      }
      if (e.sqlstate() == "57014") {  // query_canceled: statement_timeout (or a cancel)
        throw Error(ErrorCode::kTimeout, "the database did not answer in time", describe(e, stmt));
      }
      throw Error(ErrorCode::kInternal, "internal error", describe(e, stmt));
    } catch (const pqxx::usage_error& e) {
      throw Error(ErrorCode::kInternal, "internal error",
                  std::string("libpqxx usage error: ") + e.what());
    } catch (const pqxx::conversion_error&) {
      throw Error(ErrorCode::kInternal, "internal error",
                  std::string("libpqxx conversion error in ") + (stmt ? stmt : ""));
    }
  }
}

}  // namespace hareyaka::pg
