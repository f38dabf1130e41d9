// The gateway's durable outbox: which patients the portal has not yet acknowledged, as
// files under state_dir (one per patient), plus the digest of what was last acknowledged.
// Both survive a crash at any moment: an entry is removed only after the acknowledged
// digest is safely on disk, so a crash between the two resends (the portal treats a repeat
// as an update) and never loses a change.
#pragma once

#include <optional>
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

 private:
  std::string outbox_dir_, published_dir_;
};

}  // namespace hareyaka::gateway::publish
