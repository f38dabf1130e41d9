// hareyaka-portal: the composition root. Reads the configuration, builds the daemon, serves.
#include <cstdio>
#include <string_view>

#include "common/cli.hpp"
#include "common/config.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "common/runtime.hpp"
#include "portal/bootstrap.hpp"
#include "portal/daemon.hpp"
#include "portal/totp_keys.hpp"

int main(int argc, char** argv) {
  using namespace hareyaka;
  if (argc > 1 && std::string_view(argv[1]) == "bootstrap") {
    return portal::run_bootstrap(argc - 1, argv + 1);
  }
  if (argc > 1 && std::string_view(argv[1]) == "rotate-totp-key") {
    return portal::run_rotate_totp_key(argc - 1, argv + 1);
  }
  int code = 0;
  auto args = cli::parse_daemon_args(argc, argv, "hareyaka-portal",
                                     "The Hareyaka portal: identity, consent, audit, viewer.\n"
                                     "Other commands:\n"
                                     "  hareyaka-portal bootstrap --config FILE --file SEED.json\n"
                                     "  hareyaka-portal rotate-totp-key --config FILE",
                                     code);
  if (!args)
    return code;
  try {
    auto cfg = portal::load_portal_config(args->config_file);
    log::configure(cfg.log);
    portal::Daemon daemon(std::move(cfg));
    daemon.start();
    if (!args->ports_file.empty())
      write_ports_file(args->ports_file, daemon.ports(), daemon.routes());
    daemon.run();
    return 0;
  } catch (const config::ConfigError& e) {
    std::fprintf(stderr, "hareyaka-portal: %s\n", e.what());
    return 2;
  } catch (const Error& e) {
    std::fprintf(stderr, "hareyaka-portal: cannot start: %s\n", e.internal().c_str());
    return 1;
  }
}
