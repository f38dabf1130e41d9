// A private PostgreSQL cluster for one test binary: initdb into a temporary folder, a unix
// socket in that folder (no TCP), fsync off, torn down when the binary ends. Started on
// first use, so test binaries that need no database pay nothing. Each test asks for its
// own database with fresh_database(). As root, the cluster runs as the `postgres` user
// (PostgreSQL refuses to run as root).
//
// Set HAREYAKA_TEST_PG_BIN to use another PostgreSQL than /usr/lib/postgresql/15/bin.
#pragma once

#include <memory>
#include <string>

#include "common/migrations.hpp"
#include "common/pg.hpp"

namespace hareyaka::testing {

class PgCluster {
 public:
  // The cluster of this process, started on first call.
  static PgCluster& instance();
  // Stops the cluster if it was started (called by the test main at exit).
  static void shutdown();

  ~PgCluster();

  // Creates an empty database and returns its libpq connection string.
  std::string create_database();
  const std::string& socket_dir() const { return socket_dir_; }

 private:
  PgCluster();
  void stop();

  std::string root_;
  std::string socket_dir_;
  std::string data_dir_;
  std::string bin_;
  bool as_postgres_ = false;
  int counter_ = 0;
};

// A new empty database for the calling test.
std::string fresh_database();

// A pool on a new database with the given components' migrations applied, e.g.
//   auto pool = fresh_pool({&pix::migrations()});
std::unique_ptr<pg::Pool> fresh_pool(const std::vector<const pg::MigrationSet*>& migrations = {},
                                     int size = 4);

}  // namespace hareyaka::testing
