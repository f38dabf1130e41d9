// The HTTPS server core alone, serving its /healthz route, for https_server_bench.sh.
//   https_bench_server CERT KEY PORT_FILE [IO_THREADS]
#include <boost/asio/io_context.hpp>
#include <cstdlib>
#include <fstream>

#include "common/http_server.hpp"
#include "common/log.hpp"
#include "common/metrics.hpp"
#include "common/runtime.hpp"

int main(int argc, char** argv) {
  using namespace hareyaka;
  if (argc < 4)
    return 2;
  log::configure({.level = log::Level::kWarn});
  RuntimeSettings rs;
  rs.io_threads = argc > 4 ? std::atoi(argv[4]) : 2;
  rs.worker_threads = 2;
  Runtime runtime(rs);
  auto router = std::make_shared<http::Router>();
  http::add_builtin_routes(
      *router, runtime.metrics(), [](std::string& d) { return true; }, nullptr);
  http::ListenerSettings l;
  l.name = "bench";
  l.tls.cert_file = argv[1];
  l.tls.key_file = argv[2];
  runtime.server().listen(l, router);
  std::ofstream(argv[3]) << runtime.server().port("bench") << "\n";
  runtime.run();
}
