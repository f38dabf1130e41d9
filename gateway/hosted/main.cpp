// hareyaka-hosted: the composition root of the hosted, multi-tenant gateway (issue #17).
#include <sys/resource.h>

#include <cstdio>
#include <cstring>

#include "common/cli.hpp"
#include "common/config.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "common/runtime.hpp"
#include "gateway/hosted/hosted_daemon.hpp"
#include "gateway/hosted/tenant_delete.hpp"

namespace {

// A tenant keeps a few files open (its audit, its index cache while written): a thousand
// tenants need more than the usual soft limit of 1024 descriptors. Raised to the hard limit.
void raise_open_file_limit() {
  rlimit l{};
  if (getrlimit(RLIMIT_NOFILE, &l) == 0 && l.rlim_cur < l.rlim_max) {
    l.rlim_cur = l.rlim_max;
    setrlimit(RLIMIT_NOFILE, &l);
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace hareyaka;
  if (argc > 1 && std::strcmp(argv[1], "delete-tenant") == 0)
    return gateway::hosted::run_delete_tenant(argc - 1, argv + 1);
  if (argc > 1 && std::strcmp(argv[1], "serve") == 0) {
    --argc;
    ++argv;
  }
  raise_open_file_limit();
  int code = 0;
  auto args = cli::parse_daemon_args(
      argc, argv, "hareyaka-hosted",
      "The Hareyaka hosted gateway: discloses the records of facilities without an EMR\n"
      "(clinics, pharmacies, care facilities), uploaded by their data managers.\n"
      "Other commands:\n"
      "  hareyaka-hosted delete-tenant --config FILE --tenant ID [--local-only]",
      code);
  if (!args)
    return code;
  try {
    auto cfg = gateway::hosted::load_hosted_config(args->config_file);
    log::configure(cfg.log);
    gateway::hosted::StateLock lock(cfg.state_dir);
    gateway::hosted::check_deleted_tenants(cfg);
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
