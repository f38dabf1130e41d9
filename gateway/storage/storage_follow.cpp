// Following changes: inotify on every folder of both storages, plus the periodic
// reconciliation pass. Runs on one thread owned by the index.
#include <dirent.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <functional>

#include "gateway/storage/storage_index.hpp"

namespace hareyaka::gateway::storage {
namespace {

constexpr std::uint32_t kDirMask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE |
                                   IN_CREATE | IN_DELETE_SELF | IN_ONLYDIR;

}  // namespace

void StorageIndex::start_following() {
  if (follower_.joinable())
    return;
  stop_ = false;
  inotify_fd_ = options_.use_inotify ? inotify_init1(IN_NONBLOCK | IN_CLOEXEC) : -1;
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  following_ = true;
  follower_ = std::thread([this] { follow_loop(); });
}

void StorageIndex::stop_following() {
  if (!follower_.joinable())
    return;
  stop_ = true;
  std::uint64_t one = 1;
  if (wake_fd_ >= 0)
    (void)!::write(wake_fd_, &one, sizeof one);
  follower_.join();
  if (inotify_fd_ >= 0)
    ::close(inotify_fd_);
  if (wake_fd_ >= 0)
    ::close(wake_fd_);
  inotify_fd_ = wake_fd_ = -1;
  watches_.clear();
  following_ = false;
  inotify_ok_ = false;
}

void StorageIndex::follow_loop() {
  // Watches a folder and everything below it, and returns the files found there (a folder
  // created with files already inside gives no event for them). Each folder is watched
  // before it is listed, so a file or folder created meanwhile is either listed or seen.
  std::function<void(StorageKind, const std::string&, std::vector<std::string>&, int)> watch_dir =
      [&](StorageKind kind, const std::string& rel, std::vector<std::string>& files, int depth) {
        if (depth > 16)
          return;
        const std::string& root =
            kind == StorageKind::kStandard ? options_.standard_root : options_.extended_root;
        std::string full = rel.empty() ? root : root + "/" + rel;
        if (inotify_fd_ >= 0 && inotify_ok_) {
          int wd = inotify_add_watch(inotify_fd_, full.c_str(), kDirMask);
          if (wd < 0) {
            inotify_ok_ = false;  // ENOSPC (too many watches): reconciliation still runs
          } else {
            watches_[wd] = {kind, rel};
            watch_count_ = watches_.size();
          }
        }
        DIR* dir = opendir(full.c_str());
        if (!dir)
          return;
        std::vector<std::string> subdirs;
        while (dirent* e = readdir(dir)) {
          std::string name = e->d_name;
          if (name.empty() || name[0] == '.')
            continue;
          std::string child = rel.empty() ? name : rel + "/" + name;
          unsigned char type = e->d_type;
          if (type == DT_UNKNOWN || type == DT_LNK) {
            struct stat st {};
            if (stat((root + "/" + child).c_str(), &st) != 0)
              continue;
            type = S_ISDIR(st.st_mode) ? DT_DIR : (S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN);
            if (type == DT_DIR && e->d_type == DT_LNK)
              continue;  // no symlinked folders
          }
          if (type == DT_DIR) {
            subdirs.push_back(std::move(child));
          } else if (type == DT_REG) {
            files.push_back(std::move(child));
          }
        }
        closedir(dir);
        for (const auto& d : subdirs)
          watch_dir(kind, d, files, depth + 1);
      };
  auto watch_tree = [&](StorageKind kind, const std::string& rel) {
    std::vector<std::string> files;
    watch_dir(kind, rel, files, 0);
    return files;
  };

  inotify_ok_ = inotify_fd_ >= 0;
  watch_tree(StorageKind::kStandard, "");
  if (!options_.extended_root.empty())
    watch_tree(StorageKind::kExtended, "");
  // Changes between the scan and the watches being in place are caught here.
  reconcile();

  auto next_reconcile = std::chrono::steady_clock::now() + options_.reconcile_interval;
  alignas(inotify_event) char buf[64 * 1024];
  while (!stop_) {
    auto now = std::chrono::steady_clock::now();
    if (now >= next_reconcile) {
      reconcile();
      next_reconcile = std::chrono::steady_clock::now() + options_.reconcile_interval;
      continue;
    }
    int timeout_ms = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(next_reconcile - now).count() + 1);
    pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {inotify_fd_, POLLIN, 0}};
    int nfds = inotify_fd_ >= 0 ? 2 : 1;
    int rc = ::poll(fds, nfds, timeout_ms);
    if (rc <= 0 || stop_)
      continue;
    if (nfds < 2 || !(fds[1].revents & POLLIN))
      continue;
    ssize_t len = ::read(inotify_fd_, buf, sizeof buf);
    if (len <= 0)
      continue;
    bool overflow = false;
    for (char* p = buf; p < buf + len;) {
      auto* ev = reinterpret_cast<inotify_event*>(p);
      p += sizeof(inotify_event) + ev->len;
      if (ev->mask & IN_Q_OVERFLOW) {
        overflow = true;
        continue;
      }
      if (ev->mask & IN_IGNORED) {
        watches_.erase(ev->wd);
        watch_count_ = watches_.size();
        continue;
      }
      auto it = watches_.find(ev->wd);
      if (it == watches_.end() || ev->len == 0)
        continue;
      std::string name = ev->name;
      if (name.empty() || name[0] == '.')
        continue;
      auto [kind, dir] = it->second;
      std::string rel = dir.empty() ? name : dir + "/" + name;
      if (ev->mask & IN_ISDIR) {
        if (ev->mask & (IN_CREATE | IN_MOVED_TO)) {
          for (const std::string& f : watch_tree(kind, rel))
            refresh(kind, f);
        } else if (ev->mask & (IN_MOVED_FROM | IN_DELETE)) {
          overflow = true;  // a whole folder left: let a pass sort out what it held
        }
        continue;
      }
      if (ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE)) {
        refresh(kind, rel);
      }
    }
    if (overflow) {
      reconcile();
      next_reconcile = std::chrono::steady_clock::now() + options_.reconcile_interval;
    }
  }
}

}  // namespace hareyaka::gateway::storage
