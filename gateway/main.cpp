// hareyaka-gateway: the composition root. `serve` (the default) runs the daemon.
#include <cstdio>
#include <cstring>

#include "common/cli.hpp"
#include "common/config.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "common/runtime.hpp"
#include "gateway/cli/commands.hpp"
#include "gateway/daemon.hpp"

namespace {

int serve(int argc, char** argv) {
  using namespace hareyaka;
  int code = 0;
  auto args = cli::parse_daemon_args(
      argc, argv, "hareyaka-gateway",
      "The Hareyaka gateway: publishes a facility's SS-MIX2 and DICOM data to the portal.\n"
      "Other commands:\n"
      "  hareyaka-gateway check --storage DIR [--extended DIR] [--threads N] [--strict-pid]\n"
      "                         [--quiet]\n"
      "  hareyaka-gateway show --storage DIR --patient ID [--extended DIR] [--limit N]\n"
      "  hareyaka-gateway restore --config FILE --node NAME (--into DIR | --verify-only)\n"
      "                           [--as-of YYYY-MM-DDThh:mm:ssZ]",
      code);
  if (!args)
    return code;
  try {
    auto cfg = gateway::load_gateway_config(args->config_file);
    log::configure(cfg.log);
    gateway::Daemon daemon(std::move(cfg));
    daemon.start();
    if (!args->ports_file.empty())
      write_ports_file(args->ports_file, daemon.ports(), daemon.routes());
    daemon.run();
    return 0;
  } catch (const config::ConfigError& e) {
    std::fprintf(stderr, "hareyaka-gateway: %s\n", e.what());
    return 2;
  } catch (const Error& e) {
    std::fprintf(stderr, "hareyaka-gateway: cannot start: %s\n", e.internal().c_str());
    return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace hareyaka::gateway;
  if (argc > 1 && std::strcmp(argv[1], "check") == 0)
    return cli::run_check(argc - 1, argv + 1);
  if (argc > 1 && std::strcmp(argv[1], "show") == 0)
    return cli::run_show(argc - 1, argv + 1);
  if (argc > 1 && std::strcmp(argv[1], "restore") == 0)
    return cli::run_restore(argc - 1, argv + 1);
  if (argc > 1 && std::strcmp(argv[1], "serve") == 0)
    return serve(argc - 1, argv + 1);
  return serve(argc, argv);
}
