// A bounded cache of parsed SS-MIX2 files for the record queries: a page of a category asks
// for the same few files again and again (the portal's views, paging, several categories
// from one file), and reading and parsing them was the largest CPU share of a view.
//
// An entry is keyed by the file's path relative to the storage root and remembered with the
// modification time and size the index has for it; a lookup with another time or size is a
// miss, so a file the watcher saw change is re-read without any invalidation call, and an
// entry of a deleted file is never asked for again and ages out. Least recently used entries
// go first once the budget (an estimate of the parsed size: 4 × the file's bytes) is spent.
// Thread-safe: the data API's worker threads share one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "proto/ssmix2/mapping.hpp"

namespace hareyaka::gateway::record {

class ParsedFiles {
 public:
  static constexpr std::size_t kDefaultBudget = 64u << 20;  // bytes (estimated)

  explicit ParsedFiles(std::size_t budget_bytes = kDefaultBudget) : budget_(budget_bytes) {}

  using Parsed = std::shared_ptr<const ssmix2::ReadResult>;

  // The parsed file when cached with this modification time and size; null otherwise.
  Parsed find(const std::string& relative_path, std::int64_t mtime_ns, std::uint64_t size);
  void put(const std::string& relative_path, std::int64_t mtime_ns, std::uint64_t size,
           Parsed parsed);

  struct Stats {
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
    std::size_t entries = 0;
    std::size_t bytes = 0;  // estimated
  };
  Stats stats() const;

 private:
  struct Entry {
    std::string key;
    std::int64_t mtime_ns;
    std::uint64_t size;
    std::size_t weight;
    Parsed parsed;
  };
  void evict_locked();

  const std::size_t budget_;
  mutable std::mutex mu_;
  std::list<Entry> lru_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> by_key_;
  std::size_t bytes_ = 0;
  std::uint64_t hits_ = 0;
  std::uint64_t misses_ = 0;
};

}  // namespace hareyaka::gateway::record
