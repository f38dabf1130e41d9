// The gateway's copy of the network directory (facilities and users, no secrets), pulled
// from the portal (directory_puller.hpp) and kept in state_dir/directory.json so it survives
// restarts. It lets the local audit name the viewer (display name, profession, facility
// name) and lets the assertion check refuse users the directory does not know or has
// locked or retired.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace hareyaka::gateway {

// What to do with an assertion for a user the directory does not know.
enum class UnknownUserPolicy {
  kAfterFirstPull,  // refuse once a directory has been pulled at least once (default)
  kAlways,          // refuse, also before the first pull (nothing is served until then)
  kNever,           // serve (the directory only names viewers in the audit)
};
std::optional<UnknownUserPolicy> parse_unknown_user_policy(const std::string& s);

struct ViewerInfo {
  std::string display_name;
  std::string profession;
  std::string facility_oid;
  std::string facility_name;  // "" when the facility is not in the directory
  std::string status;         // active, locked, retired
};

struct DirectoryVerdict {
  std::optional<ViewerInfo> viewer;
  std::string refusal;  // empty: the directory does not object
};

class DirectoryCache {
 public:
  // Loads the file when it exists; a damaged file counts as never pulled (logged).
  explicit DirectoryCache(std::string file);

  bool pulled() const;
  std::int64_t version() const;
  std::size_t users() const;

  // The directory's word on the viewer an assertion names (login id and facility OID).
  DirectoryVerdict check(const std::string& login_id, const std::string& facility_oid,
                         UnknownUserPolicy policy) const;

  // Applies the pages of one pull (GET /api/gw/v1/directory answers, in order) and saves
  // the result (write to a temporary file, fsync, rename). A page with "reset" starts over.
  void apply(const std::vector<nlohmann::json>& pages);

 private:
  void save_locked() const;

  std::string file_;
  mutable std::mutex mutex_;
  bool pulled_ = false;
  std::int64_t version_ = 0;
  std::map<std::string, nlohmann::json> facilities_;  // oid -> {name, kind, status, ...}
  std::map<std::string, nlohmann::json> users_;       // login id -> {display_name, ...}
};

}  // namespace hareyaka::gateway
