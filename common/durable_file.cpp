#include "common/durable_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/error.hpp"

namespace hareyaka {
namespace {

namespace fs = std::filesystem;

bool write_all(int fd, std::string_view content) {
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

// Writes `content` to a fresh temporary file beside `path`; returns its name.
std::string write_temporary(const std::string& path, std::string_view content, unsigned mode) {
  const fs::path p(path);
  std::error_code ec;
  fs::create_directories(p.parent_path(), ec);
  static std::atomic<std::uint64_t> counter{0};
  const std::string tmp =
      (p.parent_path() / (".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(++counter)))
          .string();
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0)
    throw Error(ErrorCode::kUnavailable, "storage unavailable", "cannot create " + tmp);
  bool ok = write_all(fd, content);
  ok = ok && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) {
    ::unlink(tmp.c_str());
    throw Error(ErrorCode::kUnavailable, "storage unavailable", "cannot write " + tmp);
  }
  return tmp;
}

}  // namespace

void sync_dir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

void sync_filesystem(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  const bool ok = fd >= 0 && ::syncfs(fd) == 0;
  if (fd >= 0)
    ::close(fd);
  if (!ok)
    throw Error(ErrorCode::kUnavailable, "storage unavailable",
                "cannot sync the file system of " + path);
}

void write_file_unsynced(const std::string& path, std::string_view content, unsigned mode) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0)
    throw Error(ErrorCode::kUnavailable, "storage unavailable", "cannot create " + path);
  bool ok = write_all(fd, content);
  ::close(fd);
  if (!ok) {
    ::unlink(path.c_str());
    throw Error(ErrorCode::kUnavailable, "storage unavailable", "cannot write " + path);
  }
}

void write_file_durably(const std::string& path, std::string_view content, unsigned mode) {
  const std::string tmp = write_temporary(path, content, mode);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    throw Error(ErrorCode::kUnavailable, "storage unavailable", "cannot rename to " + path);
  }
  sync_dir(fs::path(path).parent_path().string());
}

bool write_file_once(const std::string& path, std::string_view content, unsigned mode) {
  const std::string tmp = write_temporary(path, content, mode);
  const int linked = ::link(tmp.c_str(), path.c_str());
  const int link_errno = errno;
  ::unlink(tmp.c_str());
  if (linked != 0 && link_errno == EEXIST)
    return false;
  if (linked != 0)
    throw Error(ErrorCode::kUnavailable, "storage unavailable", "cannot link " + path);
  sync_dir(fs::path(path).parent_path().string());
  return true;
}

bool is_temporary_name(std::string_view file_name) {
  return file_name.starts_with(".tmp-");
}

std::optional<std::string> read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace hareyaka
