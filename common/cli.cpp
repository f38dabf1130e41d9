#include "common/cli.hpp"

#include <cstdio>
#include <string_view>

#ifndef HAREYAKA_VERSION
#define HAREYAKA_VERSION "0.0.0"
#endif

namespace hareyaka::cli {

std::optional<DaemonArgs> parse_daemon_args(int argc, char** argv, const char* program,
                                            const char* summary, int& exit_code) {
  DaemonArgs a;
  auto usage = [&](FILE* out) {
    std::fprintf(out,
                 "usage: %s --config FILE [--ports-file FILE]\n\n%s\n\n"
                 "  --config FILE      configuration (JSON, comments allowed)\n"
                 "  --ports-file FILE  write the bound ports as JSON once listening\n"
                 "  --version          print the version\n",
                 program, summary);
  };
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&](const char* name) -> std::optional<std::string> {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s: %s needs a value\n", program, name);
        return std::nullopt;
      }
      return std::string(argv[++i]);
    };
    if (arg == "--help" || arg == "-h") {
      usage(stdout);
      exit_code = 0;
      return std::nullopt;
    }
    if (arg == "--version") {
      std::printf("%s %s\n", program, HAREYAKA_VERSION);
      exit_code = 0;
      return std::nullopt;
    }
    if (arg == "--config" || arg == "--ports-file") {
      auto v = value(arg.data());
      if (!v) {
        exit_code = 2;
        return std::nullopt;
      }
      (arg == "--config" ? a.config_file : a.ports_file) = *v;
      continue;
    }
    std::fprintf(stderr, "%s: unknown argument '%s'\n", program, argv[i]);
    usage(stderr);
    exit_code = 2;
    return std::nullopt;
  }
  if (a.config_file.empty()) {
    std::fprintf(stderr, "%s: --config FILE is required\n", program);
    exit_code = 2;
    return std::nullopt;
  }
  return a;
}

}  // namespace hareyaka::cli
