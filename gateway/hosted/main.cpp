// hareyaka-hosted: the composition root of the hosted, multi-tenant gateway (issue #17).
#include <cstdio>

#include "common/cli.hpp"
#include "common/config.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "common/runtime.hpp"
#include "gateway/hosted/hosted_daemon.hpp"

int main(int argc, char** argv) {
  using namespace hareyaka;
  int code = 0;
  auto args = cli::parse_daemon_args(
      argc, argv, "hareyaka-hosted",
      "The Hareyaka hosted gateway: discloses the records of facilities without an EMR\n"
      "(clinics, pharmacies, care facilities), uploaded by their data managers.",
      code);
  if (!args)
    return code;
  try {
    auto cfg = gateway::hosted::load_hosted_config(args->config_file);
    log::configure(cfg.log);
    gateway::hosted::HostedDaemon daemon(std::move(cfg));
    daemon.start();
    if (!args->ports_file.empty())
      write_ports_file(args->ports_file, daemon.ports(), daemon.routes());
    daemon.run();
    return 0;
  } catch (const config::ConfigError& e) {
    std::fprintf(stderr, "hareyaka-hosted: %s\n", e.what());
    return 2;
  } catch (const Error& e) {
    std::fprintf(stderr, "hareyaka-hosted: cannot start: %s\n", e.internal().c_str());
    return 1;
  }
}
