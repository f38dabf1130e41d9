#include "gateway/storage/index_cache.hpp"

#include <cstdio>
#include <fstream>

namespace hareyaka::gateway::storage {
namespace {

constexpr std::string_view kMagic = "hareyaka-ssmix2-index-cache 1";

bool clean(std::string_view s) {
  for (char c : s) {
    if (c == '\t' || c == '\n' || c == '\r')
      return false;
  }
  return true;
}

}  // namespace

KnownFiles load_index_cache(const std::string& cache_file, const std::string& standard_root,
                            const std::string& extended_root) {
  KnownFiles known;
  std::ifstream in(cache_file);
  if (!in)
    return known;
  std::string line;
  if (!std::getline(in, line) || line != kMagic)
    return known;
  if (!std::getline(in, line) || line != "standard\t" + standard_root)
    return known;
  if (!std::getline(in, line) || line != "extended\t" + extended_root)
    return known;
  while (std::getline(in, line)) {
    // kind \t mtime \t size \t usable \t severity \t reason \t path
    std::size_t p[6];
    std::size_t pos = 0;
    bool ok = true;
    for (int i = 0; i < 6; ++i) {
      p[i] = line.find('\t', pos);
      if (p[i] == std::string::npos) {
        ok = false;
        break;
      }
      pos = p[i] + 1;
    }
    if (!ok || p[0] != 1 || (line[0] != 's' && line[0] != 'e'))
      continue;
    KnownFile k;
    try {
      k.mtime_ns = std::stoll(line.substr(p[0] + 1, p[1] - p[0] - 1));
      k.size = std::stoull(line.substr(p[1] + 1, p[2] - p[1] - 1));
    } catch (...) {
      continue;
    }
    k.usable = line[p[2] + 1] == '1';
    k.severity = line[p[3] + 1] == 'e' ? ProblemSeverity::kError : ProblemSeverity::kWarning;
    k.reason = line.substr(p[4] + 1, p[5] - p[4] - 1);
    std::string path = line.substr(p[5] + 1);
    StorageKind kind = line[0] == 's' ? StorageKind::kStandard : StorageKind::kExtended;
    known.emplace(known_key(kind, path), std::move(k));
  }
  return known;
}

bool save_index_cache(const std::string& cache_file, const std::string& standard_root,
                      const std::string& extended_root, const std::vector<Verdict>& verdicts) {
  if (cache_file.empty())
    return false;
  std::string tmp = cache_file + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out)
      return false;
    out << kMagic << "\nstandard\t" << standard_root << "\nextended\t" << extended_root << "\n";
    for (const Verdict& v : verdicts) {
      if (!v.exists || !clean(v.path) || !clean(v.reason))
        continue;
      out << (v.storage == StorageKind::kStandard ? 's' : 'e') << '\t' << v.mtime_ns << '\t'
          << v.size << '\t' << (v.usable ? '1' : '0') << '\t'
          << (v.severity == ProblemSeverity::kError ? 'e' : 'w') << '\t' << v.reason << '\t'
          << v.path << '\n';
    }
    out.flush();
    if (!out)
      return false;
  }
  return std::rename(tmp.c_str(), cache_file.c_str()) == 0;
}

}  // namespace hareyaka::gateway::storage
