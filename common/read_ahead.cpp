#include "common/read_ahead.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <exception>
#include <memory>

namespace hareyaka::http {
namespace {

namespace net = boost::asio;
using net::awaitable;

// A one-executor wake-up: wait() suspends until the next notify(). Everything runs on one
// executor (strand), so checking a condition and then waiting cannot miss a notify.
class Signal {
 public:
  explicit Signal(net::any_io_executor ex) : timer_(ex) {
    timer_.expires_at(net::steady_timer::time_point::max());
  }
  awaitable<void> wait() { co_await timer_.async_wait(net::as_tuple(net::use_awaitable)); }
  void notify() { timer_.cancel(); }

 private:
  net::steady_timer timer_;
};

// The queue between the reader coroutine and the consumer.
struct State {
  State(net::any_io_executor ex, std::size_t depth) : depth(depth), have_chunk(ex), have_room(ex) {}
  std::size_t depth;
  std::deque<std::string> chunks;
  bool ended = false;          // the source said std::nullopt (or failed)
  std::exception_ptr failure;  // what the source threw, after the chunks before it
  bool stopped = false;        // the consumer is gone
  Signal have_chunk;
  Signal have_room;
};

awaitable<void> reader(std::shared_ptr<State> s, ChunkSource source) {
  while (!s->stopped) {
    while (s->chunks.size() >= s->depth && !s->stopped)
      co_await s->have_room.wait();
    if (s->stopped)
      break;
    std::optional<std::string> chunk;
    try {
      chunk = co_await source();
    } catch (...) {
      s->failure = std::current_exception();
    }
    if (chunk)
      s->chunks.push_back(std::move(*chunk));
    else
      s->ended = true;
    s->have_chunk.notify();
    if (s->ended)
      break;
  }
}

// Owned by the consumer side only: when the last copy of the returned source goes, the
// reader is told to stop (and woken if it waits for room).
struct Consumer {
  ChunkSource source;  // until the reader is started by the first call
  std::size_t depth;
  std::shared_ptr<State> state;
  bool finished = false;
  ~Consumer() {
    if (state) {
      state->stopped = true;
      state->have_room.notify();
    }
  }
};

}  // namespace

ChunkSource read_ahead(ChunkSource source, std::size_t depth) {
  auto c = std::make_shared<Consumer>(std::move(source), std::max<std::size_t>(depth, 1));
  return [c]() -> awaitable<std::optional<std::string>> {
    if (c->finished)
      co_return std::nullopt;
    if (!c->state) {
      auto ex = co_await net::this_coro::executor;
      c->state = std::make_shared<State>(ex, c->depth);
      net::co_spawn(ex, reader(c->state, std::move(c->source)), net::detached);
    }
    State& s = *c->state;
    while (s.chunks.empty() && !s.ended)
      co_await s.have_chunk.wait();
    if (!s.chunks.empty()) {
      std::string chunk = std::move(s.chunks.front());
      s.chunks.pop_front();
      s.have_room.notify();
      co_return chunk;
    }
    c->finished = true;
    if (s.failure)
      std::rethrow_exception(s.failure);
    co_return std::nullopt;
  };
}

}  // namespace hareyaka::http
