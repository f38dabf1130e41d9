// hareyaka-audit-verify: recomputes the audit hash chain and prints the first broken link.
//   hareyaka-audit-verify [--db-file FILE] [--batch N]
// The libpq connection string comes from FILE (first line; keeps passwords out of the
// process list) or else from the environment variable HAREYAKA_DB.
// Exit 0: chain intact. 1: chain broken (the seq and what differs are printed). 2: usage or
// connection error.
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iostream>
#include <string>

#include "common/error.hpp"
#include "common/pg.hpp"
#include "portal/audit/audit_log.hpp"

namespace {

int usage() {
  std::cerr << "usage: hareyaka-audit-verify [--db-file FILE] [--batch N]\n"
               "  the connection string is read from FILE or from $HAREYAKA_DB\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string db_file;
  int batch = 2000;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--db-file" && i + 1 < argc) {
      db_file = argv[++i];
    } else if (a == "--batch" && i + 1 < argc) {
      try {
        batch = std::stoi(argv[++i]);
      } catch (const std::exception&) {
        return usage();
      }
    } else if (a == "-h" || a == "--help") {
      usage();
      return 0;
    } else {
      std::cerr << "unknown argument: " << a << "\n";
      return usage();
    }
  }
  std::string conninfo;
  if (!db_file.empty()) {
    std::ifstream in(db_file);
    if (!in || !std::getline(in, conninfo) || conninfo.empty()) {
      std::cerr << "cannot read a connection string from " << db_file << "\n";
      return 2;
    }
  } else if (const char* env = std::getenv("HAREYAKA_DB")) {
    conninfo = env;
  } else {
    std::cerr << "no database: pass --db-file or set HAREYAKA_DB\n";
    return usage();
  }
  try {
    hareyaka::pg::Pool pool({.conninfo = conninfo, .size = 1});
    hareyaka::audit::AuditLog log(pool);
    auto v = log.verify_chain(batch);
    if (v.ok) {
      std::cout << "OK: " << v.checked << " records verified, chain head seq " << v.head_seq
                << "\n";
      return 0;
    }
    std::cout << "BROKEN at seq " << v.broken_seq << ": " << v.what << " (" << v.checked
              << " records verified before it)\n";
    return 1;
  } catch (const hareyaka::Error& e) {
    std::cerr << "error: " << e.external() << ": " << e.internal() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  }
}
