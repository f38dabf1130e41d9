#include "tests/support/pg_cluster.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <stdexcept>

#include "tests/support/process.hpp"

namespace hareyaka::testing {
namespace {

std::mutex g_mutex;
std::unique_ptr<PgCluster> g_cluster;

}  // namespace

PgCluster& PgCluster::instance() {
  std::lock_guard lock(g_mutex);
  if (!g_cluster)
    g_cluster.reset(new PgCluster());
  return *g_cluster;
}

void PgCluster::shutdown() {
  std::lock_guard lock(g_mutex);
  g_cluster.reset();
}

PgCluster::PgCluster() {
  const char* bin = std::getenv("HAREYAKA_TEST_PG_BIN");
  bin_ = bin ? bin : "/usr/lib/postgresql/15/bin";
  std::string tmpl = (std::filesystem::temp_directory_path() / "hareyaka-pg-XXXXXX").string();
  if (!mkdtemp(tmpl.data()))
    throw std::runtime_error("mkdtemp failed");
  root_ = tmpl;
  socket_dir_ = root_;
  data_dir_ = root_ + "/data";
  as_postgres_ = geteuid() == 0;
  if (as_postgres_) {
    struct passwd* pw = getpwnam("postgres");
    if (!pw)
      throw std::runtime_error("running as root needs the 'postgres' user (postgresql-15)");
    if (chown(root_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      throw std::runtime_error("cannot chown " + root_);
    }
  }
  auto as_owner = [&](std::vector<std::string> argv) {
    if (as_postgres_)
      argv.insert(argv.begin(), {"runuser", "-u", "postgres", "--"});
    return argv;
  };
  run_checked(as_owner({bin_ + "/initdb", "-D", data_dir_, "-U", "hareyaka", "--auth=trust",
                        "--no-sync", "-E", "UTF8", "--locale=C"}));
  run_checked(as_owner({bin_ + "/pg_ctl", "-D", data_dir_, "-l", root_ + "/postgres.log", "-w",
                        "-t", "60", "-o",
                        "-k " + socket_dir_ +
                            " -c listen_addresses='' -c fsync=off -c synchronous_commit=off"
                            " -c full_page_writes=off -c max_connections=300",
                        "start"}));
}

PgCluster::~PgCluster() {
  stop();
}

void PgCluster::stop() {
  if (root_.empty())
    return;
  std::vector<std::string> argv{bin_ + "/pg_ctl", "-D", data_dir_, "-m", "immediate", "-w", "stop"};
  if (as_postgres_)
    argv.insert(argv.begin(), {"runuser", "-u", "postgres", "--"});
  run(argv);
  std::error_code ec;
  std::filesystem::remove_all(root_, ec);
  root_.clear();
}

std::string PgCluster::create_database() {
  std::string name;
  {
    std::lock_guard lock(g_mutex);
    name = "t" + std::to_string(getpid()) + "_" + std::to_string(++counter_);
  }
  pqxx::connection admin("host=" + socket_dir_ + " dbname=postgres user=hareyaka");
  pqxx::nontransaction nt(admin);
  nt.exec("CREATE DATABASE " + name + " TEMPLATE template0 ENCODING 'UTF8'");
  return "host=" + socket_dir_ + " dbname=" + name + " user=hareyaka";
}

std::string fresh_database() {
  return PgCluster::instance().create_database();
}

std::unique_ptr<pg::Pool> fresh_pool(const std::vector<const pg::MigrationSet*>& migrations,
                                     int size) {
  auto pool =
      std::make_unique<pg::Pool>(pg::PoolSettings{.conninfo = fresh_database(), .size = size});
  if (!migrations.empty())
    pg::apply_migrations(*pool, migrations);
  return pool;
}

}  // namespace hareyaka::testing
