#include "gateway/record/parsed_files.hpp"

namespace hareyaka::gateway::record {

ParsedFiles::Parsed ParsedFiles::find(const std::string& relative_path, std::int64_t mtime_ns,
                                      std::uint64_t size) {
  std::lock_guard lock(mu_);
  auto it = by_key_.find(relative_path);
  if (it == by_key_.end() || it->second->mtime_ns != mtime_ns || it->second->size != size) {
    ++misses_;
    return nullptr;
  }
  ++hits_;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->parsed;
}

void ParsedFiles::put(const std::string& relative_path, std::int64_t mtime_ns, std::uint64_t size,
                      Parsed parsed) {
  const std::size_t weight = 4 * static_cast<std::size_t>(size) + relative_path.size() + 64;
  if (weight > budget_ || !parsed)
    return;
  std::lock_guard lock(mu_);
  if (auto it = by_key_.find(relative_path); it != by_key_.end()) {
    bytes_ -= it->second->weight;
    lru_.erase(it->second);
    by_key_.erase(it);
  }
  lru_.push_front(Entry{relative_path, mtime_ns, size, weight, std::move(parsed)});
  by_key_.emplace(relative_path, lru_.begin());
  bytes_ += weight;
  evict_locked();
}

void ParsedFiles::evict_locked() {
  while (bytes_ > budget_ && !lru_.empty()) {
    bytes_ -= lru_.back().weight;
    by_key_.erase(lru_.back().key);
    lru_.pop_back();
  }
}

ParsedFiles::Stats ParsedFiles::stats() const {
  std::lock_guard lock(mu_);
  return {hits_, misses_, lru_.size(), bytes_};
}

}  // namespace hareyaka::gateway::record
