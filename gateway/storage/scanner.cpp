#include "gateway/storage/scanner.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "proto/ssmix2/mapping.hpp"
#include "proto/ssmix2/storage_path.hpp"

namespace hareyaka::gateway::storage {
namespace {

constexpr std::uint64_t kMaxFileBytes = 256u << 20;  // bigger than any sane HL7 message

void walk(const std::string& root, const std::string& rel, std::vector<std::string>& files,
          std::vector<std::string>* dirs, int depth) {
  if (depth > 16)
    return;  // SS-MIX2 trees are 6-7 deep; deeper is a loop or junk
  std::string dir_path = rel.empty() ? root : root + "/" + rel;
  DIR* dir = opendir(dir_path.c_str());
  if (!dir)
    return;
  if (dirs)
    dirs->push_back(rel);
  while (dirent* e = readdir(dir)) {
    std::string_view name = e->d_name;
    if (name.empty() || name[0] == '.')
      continue;
    std::string child = rel.empty() ? std::string(name) : rel + "/" + std::string(name);
    unsigned char type = e->d_type;
    if (type == DT_UNKNOWN || type == DT_LNK) {
      struct stat st {};
      if (stat((root + "/" + child).c_str(), &st) != 0)
        continue;
      type = S_ISDIR(st.st_mode) ? (e->d_type == DT_LNK ? DT_LNK : DT_DIR)
                                 : (S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN);
    }
    if (type == DT_DIR) {
      walk(root, child, files, dirs, depth + 1);
    } else if (type == DT_REG) {
      files.push_back(std::move(child));
    }
  }
  closedir(dir);
}

std::int64_t mtime_of(const struct stat& st) {
  return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

bool read_all(int fd, std::uint64_t size, std::string& buf) {
  buf.resize(size);
  std::size_t got = 0;
  while (got < size) {
    ssize_t n = ::read(fd, buf.data() + got, size - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    got += static_cast<std::size_t>(n);
  }
  buf.resize(got);
  return true;
}

void judge_standard_into(const std::string& path, std::string_view bytes, bool reject_pid_mismatch,
                         Verdict& v) {
  ssmix2::ReadOptions options;
  options.map_content = false;
  options.reject_pid_mismatch = reject_pid_mismatch;
  ssmix2::ReadResult r = ssmix2::read_standard_file(path, bytes, options);
  v.usable = r.usable();
  v.reason = r.describe();
  if (v.usable && r.name && !FileEntry::make(*r.name, 0, 0)) {
    v.usable = false;
    v.reason = "order number longer than 21 or department code longer than 10 characters";
  }
  v.severity = v.usable ? ProblemSeverity::kWarning : ProblemSeverity::kError;
  if (!v.usable && v.reason.empty())
    v.reason = "file name does not follow the SS-MIX2 rule";
}

void judge_extended(const std::string& path, Verdict& v) {
  ssmix2::ExtendedPathCheck c = ssmix2::check_extended_path(path);
  v.usable = c.location.has_value();
  for (const auto& p : c.problems) {
    if (!v.reason.empty())
      v.reason += "; ";
    v.reason += p;
  }
  v.severity = v.usable ? ProblemSeverity::kWarning : ProblemSeverity::kError;
  if (v.usable && v.size == 0) {
    v.usable = false;
    v.severity = ProblemSeverity::kError;
    v.reason = "empty document";
  }
}

}  // namespace

Verdict judge_standard(const std::string& path, std::string_view bytes, bool reject_pid_mismatch) {
  Verdict v;
  v.path = path;
  v.size = bytes.size();
  if (v.size > kMaxFileBytes) {
    v.reason = "file larger than " + std::to_string(kMaxFileBytes) + " bytes";
    return v;
  }
  judge_standard_into(path, bytes, reject_pid_mismatch, v);
  return v;
}

std::string known_key(StorageKind storage, std::string_view path) {
  std::string k = storage == StorageKind::kStandard ? "s:" : "e:";
  k += path;
  return k;
}

std::vector<std::string> list_files(const std::string& root, std::vector<std::string>* dirs) {
  std::vector<std::string> files;
  walk(root, "", files, dirs, 0);
  return files;
}

Verdict evaluate(StorageKind storage, const std::string& root, const std::string& path,
                 const KnownFile* known, bool reject_pid_mismatch) {
  Verdict v;
  v.storage = storage;
  v.path = path;
  std::string full = root + "/" + path;
  int fd = ::open(full.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 && errno == ELOOP)
    fd = ::open(full.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    v.exists = errno != ENOENT && errno != ENOTDIR;
    v.reason = "cannot be opened";
    return v;
  }
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    v.exists = false;
    return v;
  }
  v.mtime_ns = mtime_of(st);
  v.size = static_cast<std::uint64_t>(st.st_size);
  if (known && known->mtime_ns == v.mtime_ns && known->size == v.size) {
    ::close(fd);
    v.usable = known->usable;
    v.severity = known->severity;
    v.reason = known->reason;
    return v;
  }
  if (storage == StorageKind::kExtended) {
    ::close(fd);
    judge_extended(path, v);
    return v;
  }
  if (v.size > kMaxFileBytes) {
    ::close(fd);
    v.reason = "file larger than " + std::to_string(kMaxFileBytes) + " bytes";
    return v;
  }
  thread_local std::string buf;
  read_all(fd, v.size, buf);
  ::close(fd);
  judge_standard_into(path, buf, reject_pid_mismatch, v);
  if (buf.capacity() > (4u << 20))
    std::string().swap(buf);
  return v;
}

std::vector<Verdict> evaluate_all(StorageKind storage, const std::string& root,
                                  const std::vector<std::string>& paths, const KnownFiles& known,
                                  const ScanSettings& settings) {
  std::vector<Verdict> out(paths.size());
  std::atomic<std::size_t> next{0};
  std::atomic<std::uint64_t> done{0};
  std::atomic<std::uint64_t> parsed{0};
  auto start = std::chrono::steady_clock::now();
  auto worker = [&] {
    for (;;) {
      std::size_t i = next.fetch_add(1);
      if (i >= paths.size())
        return;
      auto it = known.find(known_key(storage, paths[i]));
      const KnownFile* k = it == known.end() ? nullptr : &it->second;
      out[i] = evaluate(storage, root, paths[i], k, settings.reject_pid_mismatch);
      // The path is set again by the calling thread below: what a worker thread allocates
      // stays in its malloc arena, and long-lived strings there keep the arena's pages
      // resident long after the scan.
      std::string().swap(out[i].path);
      if (!k || k->mtime_ns != out[i].mtime_ns || k->size != out[i].size)
        parsed.fetch_add(1);
      done.fetch_add(1, std::memory_order_relaxed);
    }
  };
  unsigned n = std::max(1u, settings.threads);
  std::vector<std::thread> threads;
  std::mutex mu;
  std::condition_variable cv;
  bool finished = false;
  for (unsigned t = 0; t < n; ++t)
    threads.emplace_back(worker);
  std::thread reporter;
  if (settings.on_progress) {
    reporter = std::thread([&] {
      std::unique_lock lock(mu);
      while (!cv.wait_for(lock, settings.progress_interval, [&] { return finished; })) {
        ScanProgress p;
        p.done = done.load();
        p.total = paths.size();
        p.parsed = parsed.load();
        p.elapsed_seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        p.files_per_second = p.elapsed_seconds > 0 ? p.done / p.elapsed_seconds : 0;
        p.eta_seconds = p.files_per_second > 0 ? (p.total - p.done) / p.files_per_second : 0;
        settings.on_progress(p);
      }
    });
  }
  for (auto& t : threads)
    t.join();
  for (std::size_t i = 0; i < paths.size(); ++i)
    out[i].path = paths[i];
  if (reporter.joinable()) {
    {
      std::lock_guard lock(mu);
      finished = true;
    }
    cv.notify_all();
    reporter.join();
  }
  if (settings.on_progress) {
    ScanProgress p;
    p.done = p.total = paths.size();
    p.parsed = parsed.load();
    p.elapsed_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    p.files_per_second = p.elapsed_seconds > 0 ? p.done / p.elapsed_seconds : 0;
    p.finished = true;
    settings.on_progress(p);
  }
  return out;
}

}  // namespace hareyaka::gateway::storage
