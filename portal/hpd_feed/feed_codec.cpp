#include "portal/hpd_feed/feed_codec.hpp"

namespace hareyaka::hpd_feed {

const char* to_string(FeedEntity e) {
  return e == FeedEntity::kFacility ? "facility" : "user";
}

const char* to_string(FeedOp o) {
  switch (o) {
    case FeedOp::kAdd:
      return "add";
    case FeedOp::kModify:
      return "modify";
    case FeedOp::kDelete:
      return "delete";
  }
  return "modify";
}

std::optional<FeedEntity> parse_feed_entity(const std::string& s) {
  if (s == "facility")
    return FeedEntity::kFacility;
  if (s == "user")
    return FeedEntity::kUser;
  return std::nullopt;
}

std::optional<FeedOp> parse_feed_op(const std::string& s) {
  if (s == "add")
    return FeedOp::kAdd;
  if (s == "modify")
    return FeedOp::kModify;
  if (s == "delete")
    return FeedOp::kDelete;
  return std::nullopt;
}

}  // namespace hareyaka::hpd_feed
