// Reads of the directory for what leaves the portal (ITI-59 feeds, the gateways' pull):
// facilities and users without any credential (no password hash, no TOTP secret, no
// lockout counters), and the directory's change log (directory_changes, written by the
// triggers of sql/0001_hpd_feed.sql, compacted to the newest row of each entity by
// sql/0002_directory_changes_compaction.sql).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/pg.hpp"
#include "hpd/facility.hpp"
#include "hpd/user.hpp"
#include "portal/hpd_feed/feed_codec.hpp"

namespace hareyaka::hpd_feed {

std::optional<hpd::Facility> public_facility(pg::Tx& tx, const std::string& oid);
std::optional<hpd::User> public_user(pg::Tx& tx, const std::string& login_id);

struct DirectoryChange {
  std::int64_t version = 0;
  FeedEntity entity = FeedEntity::kFacility;
  std::string key;
  FeedOp op = FeedOp::kAdd;
};

// Changes after `since`, in version order, at most `limit`: the newest change of each entity
// changed after `since` (older ones are compacted away), so each entity at most once.
std::vector<DirectoryChange> changes_since(pg::Tx& tx, std::int64_t since, int limit);
// The latest version (0 when the log is empty).
std::int64_t current_version(pg::Tx& tx);

}  // namespace hareyaka::hpd_feed
