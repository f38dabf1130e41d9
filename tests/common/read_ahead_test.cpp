// read_ahead(): same chunks in the same order, a source failure rethrown where the failed
// chunk would have been, and never more than `depth` chunks (plus the one being read) taken
// from the source ahead of the consumer.
#include "common/read_ahead.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <stdexcept>

namespace hareyaka::http {
namespace {

namespace net = boost::asio;

// A source of `n` numbered chunks that counts how often it was asked; throws at `fail_at`.
struct Counting {
  int n = 0;
  int fail_at = -1;
  std::shared_ptr<int> calls = std::make_shared<int>(0);
  ChunkSource source() const {
    return
        [n = n, fail_at = fail_at, calls = calls]() -> net::awaitable<std::optional<std::string>> {
          const int i = (*calls)++;
          co_await net::post(co_await net::this_coro::executor, net::use_awaitable);
          if (i == fail_at)
            throw std::runtime_error("upstream broke");
          if (i >= n)
            co_return std::nullopt;
          co_return "chunk" + std::to_string(i);
        };
  }
};

// Gives the reader coroutine plenty of turns on the executor.
net::awaitable<void> let_others_run(int turns) {
  for (int i = 0; i < turns; ++i)
    co_await net::post(co_await net::this_coro::executor, net::use_awaitable);
}

template <typename T>
T run(net::io_context& io, net::awaitable<T> task) {
  auto f = net::co_spawn(io, std::move(task), net::use_future);
  io.run();
  return f.get();
}

TEST(ReadAhead, YieldsTheSameChunksInOrder) {
  net::io_context io;
  Counting src{.n = 20};
  auto got = run(io, [&]() -> net::awaitable<std::vector<std::string>> {
    ChunkSource ahead = read_ahead(src.source(), 3);
    std::vector<std::string> out;
    while (auto c = co_await ahead())
      out.push_back(*c);
    EXPECT_FALSE(co_await ahead());  // stays at the end
    co_return out;
  }());
  ASSERT_EQ(got.size(), 20u);
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(got[i], "chunk" + std::to_string(i));
}

TEST(ReadAhead, ReadsAtMostDepthChunksAhead) {
  net::io_context io;
  Counting src{.n = 100};
  auto calls_seen = run(io, [&]() -> net::awaitable<std::vector<int>> {
    ChunkSource ahead = read_ahead(src.source(), 3);
    std::vector<int> seen;
    for (int i = 0; i < 5; ++i) {
      EXPECT_EQ(*co_await ahead(), "chunk" + std::to_string(i));
      co_await let_others_run(50);  // a slow consumer: the reader fills the queue and waits
      seen.push_back(*src.calls);
    }
    co_return seen;
  }());
  for (std::size_t i = 0; i < calls_seen.size(); ++i) {
    // consumed i+1, queued 3, one read in progress at most
    EXPECT_LE(calls_seen[i], static_cast<int>(i) + 1 + 3 + 1) << i;
    EXPECT_GE(calls_seen[i], static_cast<int>(i) + 1 + 3) << i;  // it did read ahead
  }
}

TEST(ReadAhead, RethrowsTheSourceFailureInPlaceOfTheChunk) {
  net::io_context io;
  Counting src{.n = 10, .fail_at = 4};
  auto got = run(io, [&]() -> net::awaitable<std::pair<int, std::string>> {
    ChunkSource ahead = read_ahead(src.source(), 2);
    int chunks = 0;
    try {
      while (co_await ahead())
        ++chunks;
    } catch (const std::runtime_error& e) {
      co_return std::pair{chunks, std::string(e.what())};
    }
    co_return std::pair{chunks, std::string("no error")};
  }());
  EXPECT_EQ(got.first, 4);
  EXPECT_EQ(got.second, "upstream broke");
}

TEST(ReadAhead, DroppingTheConsumerStopsTheReader) {
  net::io_context io;
  Counting src{.n = 1000};
  run(io, [&]() -> net::awaitable<int> {
    {
      ChunkSource ahead = read_ahead(src.source(), 2);
      EXPECT_TRUE(co_await ahead());
    }
    co_await let_others_run(200);
    co_return 0;
  }());
  // io.run() returned: the reader ended instead of waiting forever on a full queue, and it
  // did not drain the source.
  EXPECT_LT(*src.calls, 10);
}

}  // namespace
}  // namespace hareyaka::http
