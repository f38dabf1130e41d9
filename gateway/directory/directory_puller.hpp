// Pulls the network directory from the portal (GET /api/gw/v1/directory?since=<version>,
// mutual TLS with the gateway's portal client settings) at start and then every interval,
// page by page until the portal says there is no more, into the DirectoryCache.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "common/http_client.hpp"
#include "gateway/directory/directory_cache.hpp"

namespace hareyaka::gateway {

struct DirectoryPullSettings {
  std::string portal_url;  // https://portal:port (its node listener)
  tls::ClientSettings tls;
  std::chrono::milliseconds interval{60'000};
};

class DirectoryPuller {
 public:
  DirectoryPuller(DirectoryCache& cache, DirectoryPullSettings settings);
  ~DirectoryPuller();
  void start();
  void stop();
  // One pull; returns how many entries changed. Throws Error when the portal cannot be
  // reached or answers something else than a directory page (the cache is left as it was).
  int pull_once();

 private:
  DirectoryCache& cache_;
  DirectoryPullSettings settings_;
  http::BlockingHttpClient client_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
};

}  // namespace hareyaka::gateway
