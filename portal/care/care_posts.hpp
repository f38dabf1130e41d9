// The care team's posts: SOAP (S/O/A/P) or free text, with mentions of members, read
// receipts per member, and corrections that add a version and keep the earlier ones (the
// timeline shows them as superseded, never replaced silently). The timeline is newest
// first, whole or by column (医療 / 看護 / 薬剤 / 介護), keyset-paged on the post id. Runs
// inside the caller's transaction, like portal/care/care_store.hpp.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/pg.hpp"
#include "portal/care/care_rules.hpp"

namespace hareyaka::care {

struct PostInput {
  std::string kind;  // "soap" or "text"
  std::string subjective, objective, assessment, plan;
  std::string body;
  std::vector<std::int64_t> mentions;  // member ids
  std::string reason;                  // a correction's reason
};

// From a request body; Error kBadRequest / kUnprocessable naming the field at fault. A SOAP
// post needs one of its four fields, a text post its body, a correction its reason; each
// text at most 20,000 bytes, at most 50 mentions.
PostInput parse_post(const nlohmann::json& body, bool correction);

// The new post's id, in the author's column.
std::int64_t create_post(pg::Tx& tx, std::int64_t team_id, std::int64_t member_id, Column column,
                         const PostInput& in);
// The new version's number. Error kNotFound (no such post of the team), kForbidden
// "not_the_author: ..." (only the author corrects a post).
int correct_post(pg::Tx& tx, std::int64_t team_id, std::int64_t post_id, std::int64_t member_id,
                 const PostInput& in);
// The member's read receipt for the post's current version: {post_id, version, read_at}.
nlohmann::json mark_read(pg::Tx& tx, std::int64_t team_id, std::int64_t post_id,
                         std::int64_t member_id);

struct TimelineRequest {
  std::vector<std::string> columns;  // empty: all
  std::int64_t before = 0;           // 0: from the newest
  int limit = 50;
  std::int64_t only_post = 0;  // one post (GET .../posts/{post_id})
};
// {"items": [...], "next_cursor"?}; each item with its current text, its earlier versions
// (superseded), mentions, read receipts and attachments; read_by_me and mentions_me for
// `member_id`.
nlohmann::json timeline(pg::Tx& tx, std::int64_t team_id, std::int64_t member_id,
                        const TimelineRequest& r);
// Posts of others whose current version the member has not marked read.
std::int64_t unread_count(pg::Tx& tx, std::int64_t team_id, std::int64_t member_id);

}  // namespace hareyaka::care
