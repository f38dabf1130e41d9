#include "gateway/cli/commands.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <map>
#include <optional>
#include <string>

#include "common/error.hpp"
#include "common/http_client.hpp"
#include "gateway/config.hpp"
#include "gateway/preserve/restore.hpp"
#include "gateway/preserve/sealing.hpp"
#include "gateway/record/record_query.hpp"
#include "gateway/storage/storage_index.hpp"
#include "proto/ssmix2/data_type.hpp"

namespace hareyaka::gateway::cli {
namespace {

struct Args {
  std::map<std::string, std::string> values;
  std::map<std::string, bool> flags;
  std::string error;
};

// Parses "--name value" options and "--flag" flags; anything else is an error.
Args parse_args(int argc, char** argv, std::initializer_list<const char*> with_value,
                std::initializer_list<const char*> flags) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    bool known = false;
    for (const char* name : with_value) {
      if (arg == name) {
        known = true;
        if (i + 1 >= argc) {
          a.error = "option " + arg + " needs a value";
          return a;
        }
        a.values[arg] = argv[++i];
      }
    }
    for (const char* name : flags) {
      if (arg == name) {
        known = true;
        a.flags[arg] = true;
      }
    }
    if (!known) {
      a.error = "unknown argument " + arg;
      return a;
    }
  }
  return a;
}

std::optional<unsigned> parse_count(const std::string& s) {
  try {
    std::size_t used = 0;
    unsigned long v = std::stoul(s, &used);
    if (used != s.size() || v == 0 || v > 1000000)
      return std::nullopt;
    return static_cast<unsigned>(v);
  } catch (...) {
    return std::nullopt;
  }
}

}  // namespace

int run_check(int argc, char** argv) {
  Args a =
      parse_args(argc, argv, {"--storage", "--extended", "--threads"}, {"--strict-pid", "--quiet"});
  if (a.error.empty() && !a.values.count("--storage"))
    a.error = "--storage DIR is required";
  std::optional<unsigned> threads = 2;
  if (a.error.empty() && a.values.count("--threads")) {
    threads = parse_count(a.values["--threads"]);
    if (!threads)
      a.error = "--threads needs a positive number";
  }
  if (!a.error.empty()) {
    std::cerr << "check: " << a.error
              << "\nusage: hareyaka-gateway check --storage DIR [--extended DIR] [--threads N] "
                 "[--strict-pid] [--quiet]\n";
    return 2;
  }
  storage::IndexOptions o;
  o.standard_root = a.values["--storage"];
  o.extended_root = a.values["--extended"];
  o.threads = *threads;
  o.reject_pid_mismatch = a.flags["--strict-pid"];
  bool quiet = a.flags["--quiet"];
  o.on_progress = [quiet](const storage::ScanProgress& p) {
    if (quiet)
      return;
    std::fprintf(stderr, "scanned %llu/%llu files, %.0f files/s, ETA %.0f s%s\n",
                 static_cast<unsigned long long>(p.done), static_cast<unsigned long long>(p.total),
                 p.files_per_second, p.eta_seconds, p.finished ? " (done)" : "");
  };
  storage::StorageIndex index(o);
  index.scan();
  storage::IndexStats s = index.stats();
  std::printf("storage: %s\n", o.standard_root.c_str());
  std::printf("patients: %llu\ncurrent files: %llu\ndocuments: %llu\n",
              static_cast<unsigned long long>(s.patients),
              static_cast<unsigned long long>(s.current_files),
              static_cast<unsigned long long>(s.documents));
  std::printf("current files per data type:\n");
  for (int t = 0; t < ssmix2::kDataTypeCount; ++t) {
    std::string code(ssmix2::to_string(static_cast<ssmix2::DataType>(t)));
    auto it = s.current_by_type.find(code);
    std::printf("  %-7s %llu\n", code.c_str(),
                static_cast<unsigned long long>(it == s.current_by_type.end() ? 0 : it->second));
  }
  std::printf("unusable files: %llu\nfiles used with warnings: %llu\n",
              static_cast<unsigned long long>(s.errors),
              static_cast<unsigned long long>(s.warnings));
  constexpr std::size_t kPage = 1000;
  for (std::size_t offset = 0;; offset += kPage) {
    auto page = index.problems(offset, kPage, true);
    for (const auto& p : page) {
      std::printf("%s %s/%s: %s\n",
                  p.severity == storage::ProblemSeverity::kError ? "UNUSABLE" : "WARNING ",
                  std::string(storage::to_string(p.storage)).c_str(), p.path.c_str(),
                  p.reason.c_str());
    }
    if (page.size() < kPage)
      break;
  }
  return s.errors == 0 ? 0 : 1;
}

int run_show(int argc, char** argv) {
  Args a = parse_args(argc, argv, {"--storage", "--extended", "--patient", "--limit"}, {});
  if (a.error.empty() && !a.values.count("--storage"))
    a.error = "--storage DIR is required";
  if (a.error.empty() && !a.values.count("--patient"))
    a.error = "--patient ID is required";
  std::optional<unsigned> limit = static_cast<unsigned>(record::kMaxLimit);
  if (a.error.empty() && a.values.count("--limit")) {
    limit = parse_count(a.values["--limit"]);
    if (!limit)
      a.error = "--limit needs a positive number";
  }
  if (!a.error.empty()) {
    std::cerr << "show: " << a.error
              << "\nusage: hareyaka-gateway show --storage DIR --patient ID [--extended DIR] "
                 "[--limit N]\n";
    return 2;
  }
  storage::IndexOptions o;
  o.standard_root = a.values["--storage"];
  o.extended_root = a.values["--extended"];
  o.only_patient = a.values["--patient"];
  storage::StorageIndex index(o);
  index.scan();
  auto record = record::full_record(index, o.only_patient, *limit);
  if (!record) {
    std::cerr << "show: no files for this patient under " << o.standard_root << "\n";
    return 1;
  }
  std::cout << record->dump(2) << "\n";
  return 0;
}

namespace {

// "2026-12-07T08:00:00Z" as unix milliseconds.
std::optional<std::int64_t> parse_utc(const std::string& text) {
  std::tm tm{};
  char z = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &z) != 7 ||
      z != 'Z')
    return std::nullopt;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<std::int64_t>(timegm(&tm)) * 1000;
}

}  // namespace

int run_restore(int argc, char** argv) {
  Args a = parse_args(argc, argv, {"--config", "--node", "--into", "--as-of"}, {"--verify-only"});
  if (a.error.empty() && !a.values.count("--config"))
    a.error = "--config FILE is required";
  if (a.error.empty() && !a.values.count("--node"))
    a.error = "--node NAME is required";
  if (a.error.empty() && !a.values.count("--into") && !a.flags.count("--verify-only"))
    a.error = "--into DIR is required (or --verify-only)";
  std::optional<std::int64_t> as_of = 0;
  if (a.error.empty() && a.values.count("--as-of")) {
    as_of = parse_utc(a.values["--as-of"]);
    if (!as_of)
      a.error = "--as-of needs a UTC time such as 2026-12-07T08:00:00Z";
  }
  if (!a.error.empty()) {
    std::cerr << "restore: " << a.error
              << "\nusage: hareyaka-gateway restore --config FILE --node NAME "
                 "(--into DIR | --verify-only) [--as-of YYYY-MM-DDThh:mm:ssZ]\n";
    return 2;
  }
  try {
    const auto cfg = load_gateway_config(a.values["--config"]);
    if (!cfg.preservation) {
      std::cerr << "restore: the configuration has no 'preservation' section\n";
      return 2;
    }
    const preserve::PreservationNode* node = nullptr;
    for (const auto& n : cfg.preservation->sender.nodes) {
      if (n.name == a.values["--node"])
        node = &n;
    }
    if (!node) {
      std::cerr << "restore: no preservation node named '" << a.values["--node"]
                << "' in the configuration\n";
      return 2;
    }
    preserve::PreserveCrypto crypto(cfg.preservation->keys, cfg.preservation->signing_key_file,
                                    cfg.facility_oid);
    http::BlockingHttpClient client(http::ClientSettings{.tls = node->tls});
    const auto started = std::chrono::steady_clock::now();
    auto report = preserve::restore(crypto, client,
                                    {.node_url = node->url,
                                     .into = a.values["--into"],
                                     .as_of_ms = *as_of,
                                     .verify_only = a.flags.count("--verify-only") > 0});
    auto j = report.to_json();
    j["seconds"] =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::cout << j.dump(2) << "\n";
    return report.problems.empty() ? 0 : 1;
  } catch (const config::ConfigError& e) {
    std::cerr << "restore: " << e.what() << "\n";
    return 2;
  } catch (const Error& e) {
    std::cerr << "restore: " << e.internal() << "\n";
    return 3;
  }
}

}  // namespace hareyaka::gateway::cli
