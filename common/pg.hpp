// PostgreSQL access: a bounded connection pool over libpqxx, named prepared statements, and
// the unit-of-work helper that every piece of database work goes through. pqxx exceptions
// are translated to hareyaka::Error here and nowhere else; their messages (which can quote
// row values, i.e. patient data) are never passed on, only the SQLSTATE and the statement.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <unordered_set>
#include <vector>

namespace hareyaka::pg {

// A SQL statement with a stable name, declared as a constant beside the code that uses it:
//   constexpr pg::Statement kFindIdentity{"pix_find_identity", "SELECT ... WHERE ... = $1"};
struct Statement {
  const char* name;
  const char* sql;
};

struct PoolSettings {
  std::string conninfo;  // libpq connection string; may hold a password: never log it
  int size = 8;
  std::chrono::milliseconds acquire_timeout{5000};
};

// One libpqxx connection and the statements already prepared on it.
class Connection {
 public:
  explicit Connection(const std::string& conninfo);
  pqxx::connection& raw() { return conn_; }
  void ensure_prepared(const Statement& s);

 private:
  pqxx::connection conn_;
  std::unordered_set<std::string> prepared_;
};

class Pool;

// A lease of one pooled connection; returns it on destruction.
class Lease {
 public:
  Lease(Pool& pool, std::unique_ptr<Connection> conn);
  Lease(Lease&&) noexcept;
  Lease& operator=(Lease&&) = delete;
  ~Lease();
  Connection& operator*() { return *conn_; }
  Connection* operator->() { return conn_.get(); }
  // A connection that failed is dropped instead of returned.
  void discard() { broken_ = true; }

 private:
  Pool* pool_;
  std::unique_ptr<Connection> conn_;
  bool broken_ = false;
};

// At most `size` connections, opened lazily; acquire() waits up to acquire_timeout.
class Pool {
 public:
  explicit Pool(PoolSettings settings);
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  Lease acquire();
  const PoolSettings& settings() const { return settings_; }
  // True when a connection can be leased and answers SELECT 1 (readiness).
  bool ping();

 private:
  friend class Lease;
  void release(std::unique_ptr<Connection> conn, bool broken);

  PoolSettings settings_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
  int open_ = 0;
};

// The transaction a unit of work runs in, with named prepared statements.
class Tx {
 public:
  Tx(Connection& conn, pqxx::transaction_base& work) : conn_(conn), work_(work) {}

  template <typename... Args>
  pqxx::result exec(const Statement& s, Args&&... args) {
    conn_.ensure_prepared(s);
    current_ = s.name;
    return work_.exec_prepared(s.name, std::forward<Args>(args)...);
  }
  // For DDL and statements built from trusted constants only; never with user input.
  pqxx::result exec_trusted(const std::string& sql) {
    current_ = "(trusted sql)";
    return work_.exec(sql);
  }
  pqxx::transaction_base& raw() { return work_; }
  const char* current_statement() const { return current_; }

 private:
  Connection& conn_;
  pqxx::transaction_base& work_;
  const char* current_ = "";
};

// kAutocommit runs without BEGIN/COMMIT: each statement is its own transaction. It is for
// read paths made of one statement (a PIX query), where it saves two round trips.
// Bounds every later statement of the transaction tx runs in (SET LOCAL statement_timeout):
// a statement still running after `limit` is cancelled, and transact throws an Error with
// kTimeout. At least 1 ms (0 would mean no limit).
void set_statement_timeout(Tx& tx, std::chrono::milliseconds limit);

// Plans every later prepared statement of the transaction for its parameters
// (SET LOCAL plan_cache_mode = force_custom_plan). For a statement whose best plan depends
// on a parameter's selectivity (a trigram pattern), where the generic plan PostgreSQL
// switches to after five executions would scan every match.
void force_custom_plans(Tx& tx);

enum class Isolation { kReadCommitted, kRepeatableRead, kSerializable, kAutocommit };

struct TransactOptions {
  Isolation isolation = Isolation::kReadCommitted;
  int max_attempts = 5;  // serialization failures and deadlocks are retried up to this
};

// Runs fn in a transaction and commits. A serialization failure or deadlock rolls back and
// runs fn again (bounded, with jittered backoff), so fn must have no effects outside the
// transaction. A lost connection before commit is retried once on a fresh connection.
// Other database errors become hareyaka::Error (kConflict for unique/exclusion violations,
// kUnavailable for connectivity, kInternal otherwise).
void transact_void(Pool& pool, const std::function<void(Tx&)>& fn, TransactOptions options = {});

template <typename F>
auto transact(Pool& pool, F&& fn, TransactOptions options = {}) {
  using R = std::invoke_result_t<F, Tx&>;
  if constexpr (std::is_void_v<R>) {
    transact_void(pool, std::forward<F>(fn), options);
  } else {
    std::optional<R> out;
    transact_void(
        pool, [&](Tx& tx) { out.emplace(fn(tx)); }, options);
    return std::move(*out);
  }
}

// A read made of one statement, without BEGIN/COMMIT (see Isolation::kAutocommit).
template <typename F>
auto read(Pool& pool, F&& fn) {
  return transact(pool, std::forward<F>(fn), {Isolation::kAutocommit, 1});
}

}  // namespace hareyaka::pg
