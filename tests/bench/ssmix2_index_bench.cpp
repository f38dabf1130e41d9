// SS-MIX2 index build, side by side with a raw read of the same files.
//   ssmix2_index_bench --storage DIR [--threads N] [--patients N]
// Prints: file count and bytes; a raw read loop (open/read/close of every file, like
// `cat`) on 1 thread and on N threads; the index build on N threads (parse of every file);
// the restart from the on-disk cache; the ratios; and resident memory of the index, per
// 100k patients. The page cache is warmed first so both sides read from memory: the
// comparison is about the work per file, not the disk.
#include <fcntl.h>
#include <malloc.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "gateway/storage/scanner.hpp"
#include "gateway/storage/storage_index.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using hareyaka::gateway::storage::IndexOptions;
using hareyaka::gateway::storage::list_files;
using hareyaka::gateway::storage::StorageIndex;

long status_kb(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0)
      return std::atol(line.c_str() + std::strlen(key));
  }
  return -1;
}

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// Reads every file like `cat > /dev/null`; returns the bytes read.
std::uint64_t read_all(const std::string& root, const std::vector<std::string>& files,
                       unsigned threads) {
  std::atomic<std::size_t> next{0};
  std::atomic<std::uint64_t> bytes{0};
  auto worker = [&] {
    std::vector<char> buf(1 << 16);
    std::uint64_t local = 0;
    for (;;) {
      std::size_t i = next.fetch_add(1);
      if (i >= files.size())
        break;
      int fd = ::open((root + "/" + files[i]).c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        continue;
      ssize_t n;
      while ((n = ::read(fd, buf.data(), buf.size())) > 0)
        local += static_cast<std::uint64_t>(n);
      ::close(fd);
    }
    bytes += local;
  };
  std::vector<std::thread> ts;
  for (unsigned t = 0; t < threads; ++t)
    ts.emplace_back(worker);
  for (auto& t : ts)
    t.join();
  return bytes;
}

}  // namespace

int main(int argc, char** argv) {
  std::string storage;
  unsigned threads = 2;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--storage"))
      storage = argv[i + 1];
    else if (!std::strcmp(argv[i], "--threads"))
      threads = static_cast<unsigned>(std::atoi(argv[i + 1]));
  }
  if (storage.empty() || threads == 0) {
    std::fprintf(stderr, "usage: ssmix2_index_bench --storage DIR [--threads N]\n");
    return 2;
  }
  std::vector<std::string> files = list_files(storage);
  std::uint64_t bytes = read_all(storage, files, threads);  // warm the page cache
  const double mb = bytes / 1e6;
  std::printf("storage: %s\nfiles: %zu  bytes: %.1f MB\n", storage.c_str(), files.size(), mb);

  // Raw read: the walk plus open/read/close, as `find | xargs cat` would do.
  auto t0 = Clock::now();
  files = list_files(storage);
  read_all(storage, files, 1);
  double raw1 = seconds_since(t0);
  t0 = Clock::now();
  files = list_files(storage);
  read_all(storage, files, threads);
  double rawn = seconds_since(t0);
  std::size_t n_files = files.size();
  files = {};
  files.shrink_to_fit();
  malloc_trim(0);

  long rss_before = status_kb("VmRSS:");
  std::size_t heap_before = mallinfo2().uordblks;
  std::string cache = "/tmp/ssmix2_index_bench.cache." + std::to_string(::getpid());
  IndexOptions o;
  o.standard_root = storage;
  o.threads = threads;
  o.cache_file = cache;
  auto* index = new StorageIndex(o);
  t0 = Clock::now();
  index->scan();
  double build = seconds_since(t0);
  malloc_trim(0);
  long rss_after = status_kb("VmRSS:");
  std::size_t heap_after = mallinfo2().uordblks;
  auto stats = index->stats();

  IndexOptions o2 = o;
  auto* restarted = new StorageIndex(o2);
  t0 = Clock::now();
  restarted->scan();
  double restart = seconds_since(t0);
  delete restarted;
  std::remove(cache.c_str());

  auto line = [&](const char* what, double s) {
    std::printf("%-36s %8.2f s  %9.0f files/s  %7.1f MB/s\n", what, s, n_files / s, mb / s);
  };
  line("raw read loop, 1 thread (cat)", raw1);
  std::string rn = "raw read loop, " + std::to_string(threads) + " threads";
  line(rn.c_str(), rawn);
  std::string ib = "index build (parse), " + std::to_string(threads) + " threads";
  line(ib.c_str(), build);
  line("restart from the on-disk cache", restart);
  std::printf("ratio index build / raw read (1 thread): %.2f\n", raw1 / build);
  std::printf("ratio index build / raw read (%u threads): %.2f\n", threads, rawn / build);
  double index_mb = (rss_after - rss_before) / 1024.0;
  std::printf("patients: %llu  current files: %llu  errors: %llu\n",
              static_cast<unsigned long long>(stats.patients),
              static_cast<unsigned long long>(stats.current_files),
              static_cast<unsigned long long>(stats.errors));
  std::printf(
      "index resident memory: %.1f MB (%.1f MB per 100k patients, %.0f bytes per file); "
      "peak RSS %.1f MB\n",
      index_mb, stats.patients ? index_mb * 100000.0 / stats.patients : 0.0,
      n_files ? (rss_after - rss_before) * 1024.0 / n_files : 0.0, status_kb("VmHWM:") / 1024.0);
  std::printf("index heap in use: %.1f MB (%.0f bytes per file)\n",
              (heap_after - heap_before) / 1e6,
              n_files ? static_cast<double>(heap_after - heap_before) / n_files : 0.0);
  delete index;
  return 0;
}
