// Sends every tenant's ITI-44 feeds and locator entries from a few threads (issue #17): a
// hospital gateway's Publisher has a thread of its own, which a thousand tenants would make a
// thousand threads. Each tenant's Publisher::step() runs when it is due (its own backoff
// after a failure, a slow idle round otherwise) or at once when poked after an upload.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "gateway/publish/publisher.hpp"

namespace hareyaka::gateway::hosted {

class PublishPump {
 public:
  // The idle round: how often a tenant with nothing queued is looked at (resynchronisation).
  explicit PublishPump(int threads, std::chrono::milliseconds idle = std::chrono::seconds(5));
  ~PublishPump();
  std::size_t add(publish::Publisher& p);  // before start(); returns its slot
  void poke(std::size_t slot);             // run that slot's step soon
  void start();
  void stop();

 private:
  struct Slot {
    publish::Publisher* publisher;
    std::chrono::steady_clock::time_point due;
    bool busy = false;
    bool poked = false;
  };
  void loop();

  int threads_;
  std::chrono::milliseconds idle_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::vector<Slot> slots_;
  std::vector<std::thread> workers_;
  bool stop_ = false;
};

}  // namespace hareyaka::gateway::hosted
