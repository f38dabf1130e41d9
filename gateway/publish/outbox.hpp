// The gateway's durable outbox: which patients the portal has not yet acknowledged, as
// files under state_dir (one per patient), plus the digest of what was last acknowledged.
// Both survive a crash at any moment: an entry is removed only after the acknowledged
// digest is safely on disk, so a crash between the two resends (the portal treats a repeat
// as an update) and never loses a change. The locator entry sent for each patient has its
// own record (digest and last-change time of what the portal last acknowledged).
//
// A patient changed again while its entry is being sent (between pending() and done()) keeps
// its entry: done() then leaves it for the next round, so that change is sent too.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace hareyaka::gateway::publish {

class Outbox {
 public:
  explicit Outbox(const std::string& state_dir);

  void add(const std::string& patient_id);  // durable when it returns
  std::vector<std::string> pending(std::size_t limit) const;
  std::size_t pending_count() const;
  // Records the acknowledged digest, then removes the entry.
  void acknowledge(const std::string& patient_id, const std::string& digest);
  std::optional<std::string> acknowledged_digest(const std::string& patient_id) const;
  // The feed part alone: records the digest, keeps the entry.
  void record_feed(const std::string& patient_id, const std::string& digest);
  // Removes the entry (every part of the patient is acknowledged), unless add() was called for
  // the patient since pending() returned it.
  void done(const std::string& patient_id);

  struct LocatorState {
    std::string digest;  // empty: the portal holds a newer entry than any we sent
    std::int64_t last_change_ms = 0;
  };
  void record_locator(const std::string& patient_id, const LocatorState& state);
  std::optional<LocatorState> locator_state(const std::string& patient_id) const;
  void forget_locator(const std::string& patient_id);  // the portal has none (or another)

 private:
  std::string outbox_dir_, published_dir_, locators_dir_;
  mutable std::mutex mu_;                // guards the two sets; add() and done() under it
  mutable std::set<std::string> taken_;  // returned by pending(), not yet done()
  std::set<std::string> readded_;        // add()ed again while taken
};

}  // namespace hareyaka::gateway::publish
