// Remembers the ids (jti) of the access assertions a verifier has accepted until they
// expire, so that each is accepted once. Bounded in time (an entry leaves when its assertion
// could no longer be accepted anyway) and in memory (at most `capacity` entries: when that
// many live assertions are remembered, new ones are refused rather than old ones forgotten,
// since forgetting would reopen a replay window).
//
// The cache is in the process's memory: it covers the assertions this process verified
// since it started (docs/security-model.md, "Access assertions").
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace hareyaka {

class ReplayCache {
 public:
  enum class Result { kFirstUse, kReplay, kFull };

  explicit ReplayCache(std::size_t capacity) : capacity_(capacity) {}

  // Records `id` as used until `until_s` (unix seconds) unless it already is; entries whose
  // time has passed at `now_s` are dropped first. Thread-safe.
  Result remember(std::string_view id, std::int64_t until_s, std::int64_t now_s);
  std::size_t size() const;

 private:
  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::int64_t> until_;
  std::multimap<std::int64_t, std::string> by_expiry_;  // oldest first, for pruning
};

}  // namespace hareyaka
