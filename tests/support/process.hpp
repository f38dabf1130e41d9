// Starting and stopping child processes from tests (initdb, pg_ctl, the real daemons).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hareyaka::testing {

struct RunResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// A TCP port free on 127.0.0.1 at the time of the call, for peers that cannot report the
// port they bound (a DICOM SCP, Orthanc). Daemons of ours bind port 0 and report instead.
int free_loopback_port();

// A loopback listener that accepts TCP connections and never answers: a hung peer, for
// deadline tests. Closed when destroyed.
class SilentListener {
 public:
  SilentListener();
  ~SilentListener();
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// Runs argv to completion and captures its output.
RunResult run(const std::vector<std::string>& argv);

// Runs argv and throws with its output when it exits non-zero.
std::string run_checked(const std::vector<std::string>& argv);

// A child process that is killed (SIGTERM, then SIGKILL) when the object dies.
class Child {
 public:
  // stdout and stderr go to log_path (appended), so a failing test can show them.
  Child(const std::vector<std::string>& argv, const std::string& log_path,
        const std::map<std::string, std::string>& env = {});
  Child(Child&&) noexcept;
  Child& operator=(Child&&) = delete;
  ~Child();

  pid_t pid() const { return pid_; }
  bool running();
  // Sends SIGTERM and waits up to `grace`; returns the exit code (or 128+signal).
  int stop(std::chrono::milliseconds grace = std::chrono::seconds(10));
  void kill9();
  std::optional<int> wait_for(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

// Reads a whole file; empty when missing.
std::string read_file(const std::string& path);
// The regular files anywhere under a folder (0 when it is missing).
std::size_t files_under(const std::string& dir);

// Polls pred every 20 ms until it returns true or the deadline passes.
template <typename Pred>
bool poll_until(Pred pred, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (pred())
      return true;
    if (std::chrono::steady_clock::now() >= deadline)
      return false;
    struct timespec ts {
      0, 20'000'000
    };
    nanosleep(&ts, nullptr);
  }
}

// A fresh temporary directory, removed with its contents when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace hareyaka::testing
