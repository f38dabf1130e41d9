#include "common/replay_cache.hpp"

namespace hareyaka {

ReplayCache::Result ReplayCache::remember(std::string_view id, std::int64_t until_s,
                                          std::int64_t now_s) {
  std::lock_guard lock(mu_);
  while (!by_expiry_.empty() && by_expiry_.begin()->first < now_s) {
    until_.erase(by_expiry_.begin()->second);
    by_expiry_.erase(by_expiry_.begin());
  }
  std::string key(id);
  if (until_.contains(key))
    return Result::kReplay;
  if (until_.size() >= capacity_)
    return Result::kFull;
  until_.emplace(key, until_s);
  by_expiry_.emplace(until_s, std::move(key));
  return Result::kFirstUse;
}

std::size_t ReplayCache::size() const {
  std::lock_guard lock(mu_);
  return until_.size();
}

}  // namespace hareyaka
