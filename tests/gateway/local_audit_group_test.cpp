// gateway/local_audit: concurrent appends share writes (group commit) but every line arrives
// whole, exactly once, and append() reports a failed write to every caller whose line it held.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>
#include <vector>

#include "common/error.hpp"
#include "gateway/local_audit.hpp"

namespace hareyaka::gateway {
namespace {

TEST(LocalAudit, ConcurrentAppendsWriteEveryLineOnceAndWhole) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("local_audit_group_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = (dir / "audit.jsonl").string();
  constexpr int kThreads = 8, kEach = 150;
  {
    LocalAudit audit(path);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&audit, t] {
        for (int i = 0; i < kEach; ++i)
          audit.append({{"thread", t}, {"i", i}, {"pad", std::string(100 + i, 'x')}});
      });
    }
    for (auto& th : threads)
      th.join();
  }
  std::ifstream in(path);
  std::set<std::pair<int, int>> seen;
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) {
    ++lines;
    auto j = nlohmann::json::parse(line);  // throws (fails the test) on a torn line
    EXPECT_TRUE(j.contains("time"));
    EXPECT_EQ(j["pad"].get<std::string>().size(), 100u + j["i"].get<int>());
    EXPECT_TRUE(seen.insert({j["thread"].get<int>(), j["i"].get<int>()}).second);
  }
  EXPECT_EQ(lines, kThreads * kEach);
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kThreads * kEach));
  std::filesystem::remove_all(dir);
}

TEST(LocalAudit, AFailedWriteFailsEveryAppendInIt) {
  ASSERT_TRUE(std::filesystem::exists("/dev/full")) << "the test needs /dev/full";
  LocalAudit audit("/dev/full");  // every write ends in ENOSPC
  std::atomic<int> failures = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        try {
          audit.append({{"i", i}});
        } catch (const Error& e) {
          if (e.code() == ErrorCode::kUnavailable)
            ++failures;
        }
      }
    });
  }
  for (auto& th : threads)
    th.join();
  EXPECT_EQ(failures.load(), 80);
}

TEST(LocalAudit, AFullDiskRefusesNamingTheCauseLeavesWholeLinesAndRecovers) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("local_audit_full_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = (dir / "audit.jsonl").string();
  LocalAudit audit(path);
  audit.append({{"n", 0}});
  // The file may not grow past here: as a full disk would, a write stops part way.
  const auto before = std::filesystem::file_size(path);
  std::signal(SIGXFSZ, SIG_IGN);
  rlimit old{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old), 0);
  rlimit tight = old;
  tight.rlim_cur = before + 20;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &tight), 0);
  std::string why;
  try {
    audit.append({{"n", 1}, {"pad", std::string(200, 'x')}});
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnavailable);
    why = e.internal();
  }
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &old), 0);
  std::signal(SIGXFSZ, SIG_DFL);
  EXPECT_NE(why.find("File too large"), std::string::npos) << why;  // the cause, named
  EXPECT_EQ(std::filesystem::file_size(path), before);              // nothing torn left
  // Space again: the next append continues the file with whole lines.
  audit.append({{"n", 2}});
  std::ifstream in(path);
  std::string line;
  std::vector<int> ns;
  while (std::getline(in, line))
    ns.push_back(nlohmann::json::parse(line)["n"].get<int>());
  EXPECT_EQ(ns, (std::vector<int>{0, 2}));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace hareyaka::gateway
