// Helper for tests/bench/dicom_bench.sh: runs the gateway's storage SCP on a folder, or
// renders stored instances in-process in a loop, so the shell script can compare them with
// dcmtk's storescp and Orthanc's /preview.
//   dicom_bench_tool scp <storage-root> <port> <ae-title>   (runs until SIGINT/SIGTERM)
//   dicom_bench_tool render <storage-root> <rounds>         (JPEG of every stored instance)
//   dicom_bench_tool count <storage-root>                   (instances in the index)
//   dicom_bench_tool import <storage-root> <folder>         (folder import, timed)
//   dicom_bench_tool uids <storage-root>                    ("study series sop" per instance)
//   dicom_bench_tool assert <key.pem> <audience> <local-id> <cert.pem> <count>
//                                         (<count> imaging access assertions, one a line, for
//                                         the HTTP bench: each presented with <cert.pem>, each
//                                         accepted once, valid five minutes)
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "common/assertion.hpp"
#include "common/error.hpp"
#include "common/peer_certificate.hpp"
#include "gateway/dicom/codecs.hpp"
#include "gateway/dicom/importer.hpp"
#include "gateway/dicom/render.hpp"
#include "gateway/dicom/storage_scp.hpp"
#include "gateway/dicom/store.hpp"

using namespace hareyaka::gateway::dicom;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: %s scp <root> <port> <ae> | render <root> <rounds> | count <root>\n",
                 argv[0]);
    return 2;
  }
  std::string mode = argv[1];
  if (mode == "assert" && argc == 7) {
    hareyaka::AssertionSigner signer(argv[2], hareyaka::http::certificate_file_sha256(argv[5]));
    const auto now = hareyaka::unix_now();
    for (int i = std::atoi(argv[6]); i > 0; --i) {
      std::printf("%s\n", signer
                              .sign({.user = "bench",
                                     .profession = "doctor",
                                     .facility_oid = "1.2.392.200284.33.2000001",
                                     .audience = argv[3],
                                     .authority = std::string(argv[3]) + ".1",
                                     .local_id = argv[4],
                                     .category = "imaging",
                                     .request_id = "bench",
                                     .issued_at = now - 1,
                                     .expires_at = now + 298})
                              .c_str());
    }
    return 0;
  }
  register_codecs();
  DicomStore store(argv[2]);
  if (mode == "count") {
    std::printf("%zu\n", store.index().instance_count());
    return 0;
  }
  if (mode == "scp" && argc == 5) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);  // every thread inherits the mask
    ScpSettings settings;
    settings.port = static_cast<std::uint16_t>(std::atoi(argv[3]));
    settings.ae_title = argv[4];
    settings.allowed_calling_aes = {"*"};  // the benchmark's storescu
    StorageScp scp(store, settings);
    scp.start();
    std::printf("listening %u\n", scp.port());
    std::fflush(stdout);
    int sig = 0;
    sigwait(&set, &sig);
    scp.stop();
    return 0;
  }
  if (mode == "uids") {
    InstanceQuery all;
    all.limit = 1000000;
    for (const auto& rec : store.index().find_instances(all))
      std::printf("%s %s %s\n", rec.study_uid.c_str(), rec.series_uid.c_str(), rec.sop_uid.c_str());
    return 0;
  }
  if (mode == "import" && argc == 4) {
    auto start = std::chrono::steady_clock::now();
    ImportReport report = import_folder(store, argv[3]);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("imported %zu, refused %zu in %.3f s: %.1f instances/s\n", report.imported,
                report.refused, s, report.imported / s);
    return 0;
  }
  if (mode == "render" && argc == 4) {
    int rounds = std::atoi(argv[3]);
    InstanceQuery all;
    all.limit = 1000000;
    auto instances = store.index().find_instances(all);
    std::size_t ok = 0, refused = 0, bytes = 0;
    auto start = std::chrono::steady_clock::now();
    for (int r = 0; r < rounds; ++r) {
      for (const auto& rec : instances) {
        try {
          bytes += render(store.file_of(rec), RenderOptions{}).bytes.size();
          ++ok;
        } catch (const hareyaka::Error&) {
          ++refused;
        }
      }
    }
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("rendered %zu (refused %zu) in %.3f s: %.1f images/s, %zu bytes\n", ok, refused, s,
                ok / s, bytes);
    return 0;
  }
  std::fprintf(stderr, "bad arguments\n");
  return 2;
}
