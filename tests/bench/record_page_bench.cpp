// CPU per data-API page of the gateway, with and without the parsed-file cache, against the
// floor of reading the same files' bytes without parsing them (a raw file walk).
//   record_page_bench --storage DIR [--patients N] [--rounds R]
// For N patients (the first N of the index), R rounds of the five categories a timeline
// view asks for (encounters, diagnoses, prescriptions, lab_results, allergies), one page of
// 50 items each. Prints CPU microseconds per page (process CPU time, so the machine's other
// load does not count) for: no cache; the cache's first round (every file missed); the
// cache's later rounds; and the raw read of every file the pages touch.
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "gateway/record/parsed_files.hpp"
#include "gateway/record/record_query.hpp"

namespace {

using namespace hareyaka::gateway;

double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

constexpr const char* kCategories[] = {"encounters", "diagnoses", "prescriptions", "lab_results",
                                       "allergies"};

std::size_t pages(const storage::StorageIndex& index, const std::vector<std::string>& patients,
                  record::ParsedFiles* cache) {
  std::size_t items = 0;
  for (const auto& p : patients)
    for (const char* c : kCategories) {
      auto j = record::category(index, p, c, {}, cache);
      items += j ? (*j)["items"].size() : 0;
    }
  return items;
}

std::size_t raw_read(const storage::StorageIndex& index, const std::vector<std::string>& patients) {
  std::size_t bytes = 0;
  std::vector<char> buf(1 << 16);
  for (const auto& p : patients)
    for (const auto& e : index.current_files(p)) {
      const int fd = ::open(index.standard_path(p, e).c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        continue;
      for (ssize_t n; (n = ::read(fd, buf.data(), buf.size())) > 0;)
        bytes += static_cast<std::size_t>(n);
      ::close(fd);
    }
  return bytes;
}

}  // namespace

int main(int argc, char** argv) {
  std::string storage_dir;
  std::size_t n_patients = 200;
  int rounds = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--storage"))
      storage_dir = argv[i + 1];
    else if (!std::strcmp(argv[i], "--patients"))
      n_patients = std::strtoul(argv[i + 1], nullptr, 10);
    else if (!std::strcmp(argv[i], "--rounds"))
      rounds = std::atoi(argv[i + 1]);
  }
  if (storage_dir.empty() || rounds < 2) {
    std::fprintf(stderr, "usage: record_page_bench --storage DIR [--patients N] [--rounds R>=2]\n");
    return 2;
  }
  storage::IndexOptions o;
  o.standard_root = storage_dir;
  storage::StorageIndex index(o);
  index.scan();
  const auto patients = index.patient_ids("", n_patients);
  const double n_pages = static_cast<double>(patients.size() * std::size(kCategories));
  if (patients.empty()) {
    std::fprintf(stderr, "no patients in %s\n", storage_dir.c_str());
    return 1;
  }

  double t = cpu_seconds();
  std::size_t items_plain = 0;
  for (int r = 0; r < rounds; ++r)
    items_plain = pages(index, patients, nullptr);
  const double plain = (cpu_seconds() - t) / rounds;

  record::ParsedFiles cache;
  t = cpu_seconds();
  const std::size_t items_cold = pages(index, patients, &cache);
  const double cold = cpu_seconds() - t;
  t = cpu_seconds();
  std::size_t items_warm = 0;
  for (int r = 1; r < rounds; ++r)
    items_warm = pages(index, patients, &cache);
  const double warm = (cpu_seconds() - t) / (rounds - 1);

  t = cpu_seconds();
  std::size_t bytes = 0;
  for (int r = 0; r < rounds; ++r)
    bytes = raw_read(index, patients);
  const double raw = (cpu_seconds() - t) / rounds;

  if (items_plain != items_cold || items_plain != items_warm) {
    std::fprintf(stderr, "answers differ: %zu %zu %zu items\n", items_plain, items_cold,
                 items_warm);
    return 1;
  }
  const auto s = cache.stats();
  std::printf("patients %zu, pages %.0f per round, items %zu, files read %zu bytes per round\n",
              patients.size(), n_pages, items_plain, bytes);
  std::printf("no cache      %8.1f us CPU per page\n", plain / n_pages * 1e6);
  std::printf("cache, cold   %8.1f us CPU per page\n", cold / n_pages * 1e6);
  std::printf("cache, warm   %8.1f us CPU per page  (%.1fx less than no cache)\n",
              warm / n_pages * 1e6, plain / warm);
  std::printf("raw file walk %8.1f us CPU per page's worth of files (no parsing)\n",
              raw / n_pages * 1e6);
  std::printf("cache: %zu entries, %.1f MB estimated, %llu hits, %llu misses\n", s.entries,
              static_cast<double>(s.bytes) / 1e6, static_cast<unsigned long long>(s.hits),
              static_cast<unsigned long long>(s.misses));
  return 0;
}
