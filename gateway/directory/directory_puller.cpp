#include "gateway/directory/directory_puller.hpp"

#include "common/error.hpp"
#include "common/log.hpp"

namespace hareyaka::gateway {

using nlohmann::json;

DirectoryPuller::DirectoryPuller(DirectoryCache& cache, DirectoryPullSettings settings)
    : cache_(cache),
      settings_(std::move(settings)),
      client_(http::ClientSettings{.tls = settings_.tls}) {}

DirectoryPuller::~DirectoryPuller() {
  stop();
}

int DirectoryPuller::pull_once() {
  std::vector<json> pages;
  std::int64_t since = cache_.version();
  int changed = 0;
  // Bounded: a portal that kept saying "more" without moving on would be a bug there.
  for (int i = 0; i < 10'000; ++i) {
    auto res = client_.request(
        {.url = settings_.portal_url + "/api/gw/v1/directory?since=" + std::to_string(since)});
    if (res.status != 200) {
      throw Error(ErrorCode::kUnavailable, "directory pull failed",
                  "portal answered HTTP " + std::to_string(res.status) + " to the directory pull");
    }
    json page;
    try {
      page = json::parse(res.body);
      changed += static_cast<int>(page.at("facilities").size() + page.at("users").size() +
                                  page.at("deleted").size());
      since = page.at("version").get<std::int64_t>();
    } catch (const json::exception&) {
      throw Error(ErrorCode::kUnavailable, "directory pull failed",
                  "the portal's directory answer is not a directory page");
    }
    const bool more = page.value("more", false);
    pages.push_back(std::move(page));
    if (!more)
      break;
  }
  cache_.apply(pages);
  return changed;
}

void DirectoryPuller::start() {
  thread_ = std::thread([this] {
    for (;;) {
      try {
        if (int n = pull_once(); n > 0) {
          log::info("directory pulled", {.component = "directory", .count = n});
        }
      } catch (const Error& e) {
        log::warn("directory pull failed; will retry",
                  {.component = "directory", .detail = e.internal()});
      } catch (const std::exception&) {
        log::warn("directory pull failed; will retry", {.component = "directory"});
      }
      std::unique_lock lock(mutex_);
      if (wake_.wait_for(lock, settings_.interval, [this] { return stop_; }))
        return;
    }
  });
}

void DirectoryPuller::stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

}  // namespace hareyaka::gateway
