#include "gateway/hosted/publish_pump.hpp"

#include <algorithm>

namespace hareyaka::gateway::hosted {

using Clock = std::chrono::steady_clock;

PublishPump::PublishPump(int threads, std::chrono::milliseconds idle)
    : threads_(std::max(1, threads)), idle_(idle) {}

PublishPump::~PublishPump() {
  stop();
}

std::size_t PublishPump::add(publish::Publisher& p) {
  std::lock_guard lock(mu_);
  slots_.push_back({&p, Clock::now()});
  return slots_.size() - 1;
}

void PublishPump::poke(std::size_t slot) {
  std::lock_guard lock(mu_);
  if (slot < slots_.size()) {
    slots_[slot].due = Clock::now();
    slots_[slot].poked = true;
    wake_.notify_one();
  }
}

void PublishPump::start() {
  for (int i = 0; i < threads_; ++i)
    workers_.emplace_back([this] { loop(); });
}

void PublishPump::stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    wake_.notify_all();
  }
  for (auto& t : workers_) {
    if (t.joinable())
      t.join();
  }
  workers_.clear();
}

void PublishPump::loop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    // The earliest due slot that no other thread is running.
    Slot* next = nullptr;
    for (auto& s : slots_) {
      if (!s.busy && (!next || s.due < next->due))
        next = &s;
    }
    const auto now = Clock::now();
    if (!next || next->due > now) {
      if (next)
        wake_.wait_until(lock, next->due);
      else
        wake_.wait(lock);
      continue;
    }
    next->busy = true;
    next->poked = false;
    lock.unlock();
    auto wait = next->publisher->step();  // one tenant's round, without the lock
    if (wait > std::chrono::milliseconds(0))
      wait = std::max(wait, idle_);
    lock.lock();
    next->busy = false;
    if (!next->poked)  // a poke while it ran: run again at once
      next->due = Clock::now() + wait;
  }
}

}  // namespace hareyaka::gateway::hosted
