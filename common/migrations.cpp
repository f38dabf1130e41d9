#include "common/migrations.hpp"

#include <map>
#include <utility>

#include "common/digest.hpp"
#include "common/error.hpp"
#include "common/pg.hpp"

namespace hareyaka::pg {
namespace {

// Any fixed 64-bit key; the same for every Hareyaka process sharing a database.
constexpr long long kMigrationLockKey = 0x4861726579616b61LL;  // "Hareyaka"

constexpr const char* kCreateTable = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  component  text        NOT NULL,
  version    integer     NOT NULL,
  name       text        NOT NULL,
  checksum   text        NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (component, version)
))sql";

constexpr Statement kSelectApplied{"migrations_select",
                                   "SELECT component, version, checksum FROM schema_migrations"};
constexpr Statement kInsertApplied{
    "migrations_insert",
    "INSERT INTO schema_migrations (component, version, name, checksum) VALUES ($1, $2, $3, $4)"};

}  // namespace

MigrationReport apply_migrations(Pool& pool, const std::vector<const MigrationSet*>& sets) {
  MigrationReport report;
  // The advisory lock is held by one session for the whole run; each migration commits in
  // its own transaction on that same connection.
  Lease lease = pool.acquire();
  pqxx::connection& conn = lease->raw();
  {
    pqxx::nontransaction nt(conn);
    nt.exec("SELECT pg_advisory_lock(" + std::to_string(kMigrationLockKey) + ")");
  }
  auto unlock = [&] {
    try {
      pqxx::nontransaction nt(conn);
      nt.exec("SELECT pg_advisory_unlock(" + std::to_string(kMigrationLockKey) + ")");
    } catch (const std::exception&) {
      lease.discard();  // closing the session releases the lock too
    }
  };
  try {
    std::map<std::pair<std::string, int>, std::string> applied;
    {
      pqxx::work w(conn);
      Tx tx(*lease, w);
      tx.exec_trusted(kCreateTable);
      for (const auto& row : tx.exec(kSelectApplied)) {
        applied[{row[0].as<std::string>(), row[1].as<int>()}] = row[2].as<std::string>();
      }
      w.commit();
    }
    for (const MigrationSet* set : sets) {
      for (const Migration& m : *set) {
        const std::string sum = sha256_hex(m.sql);
        auto it = applied.find({std::string(m.component), m.version});
        if (it != applied.end()) {
          if (it->second != sum) {
            throw Error(ErrorCode::kInternal, "schema mismatch",
                        "migration " + std::string(m.component) + "/" + std::to_string(m.version) +
                            " (" + std::string(m.name) + ") was changed after it was applied");
          }
          ++report.already_present;
          continue;
        }
        pqxx::work w(conn);
        Tx tx(*lease, w);
        try {
          tx.exec_trusted(std::string(m.sql));
        } catch (const pqxx::sql_error& e) {
          throw Error(ErrorCode::kInternal, "schema migration failed",
                      "migration " + std::string(m.component) + "/" + std::to_string(m.version) +
                          " (" + std::string(m.name) + ") failed: " + e.what());
        }
        tx.exec(kInsertApplied, std::string(m.component), m.version, std::string(m.name), sum);
        w.commit();
        ++report.applied;
      }
    }
  } catch (...) {
    unlock();
    throw;
  }
  unlock();
  return report;
}

}  // namespace hareyaka::pg
