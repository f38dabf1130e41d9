// The command line every daemon shares: --config FILE, --ports-file FILE, --help,
// --version. Secrets never come from here (see common/config.hpp).
#pragma once

#include <optional>
#include <string>

namespace hareyaka::cli {

struct DaemonArgs {
  std::string config_file;
  std::string ports_file;
};

// Returns std::nullopt when the program should exit (help/version printed, or a usage error
// printed to stderr; exit_code says which).
std::optional<DaemonArgs> parse_daemon_args(int argc, char** argv, const char* program,
                                            const char* summary, int& exit_code);

}  // namespace hareyaka::cli
