// Photos and PDF files attached to the care team's posts (issue #18). The bytes go to a
// content-addressed store on disk (common/content_store.hpp, the folder care.attachments_dir)
// before the row that names them is written in the request's transaction, so an attachment on
// record is always whole; equal files are stored once. Each file is checked for its type by
// its first bytes (common/media_check.hpp: PDF, JPEG, PNG) and for its size; it is served as
// a download (common/attachment.hpp: Content-Disposition, nosniff, the sandbox policy).
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/content_store.hpp"
#include "common/pg.hpp"

namespace hareyaka::care {

inline constexpr std::size_t kMaxAttachmentBytes = 20u << 20;
inline constexpr int kMaxAttachmentsPerPost = 10;

struct AttachmentInput {
  std::string media_type;  // the request's Content-Type
  std::string file_name;   // as the member named it (UTF-8, at most 200 bytes)
  std::string_view bytes;
};

// Checks the file (Error kUnsupportedMediaType, kUnprocessable naming what is wrong,
// kPayloadTooLarge), that the post is the team's (kNotFound) and the member's own (kForbidden
// "not_the_author: ..."), and that it has fewer than kMaxAttachmentsPerPost (kConflict);
// stores the bytes and records the row. The attachment as the timeline lists it.
nlohmann::json add_attachment(pg::Tx& tx, const ContentStore& store, std::int64_t team_id,
                              std::int64_t post_id, std::int64_t member_id,
                              const AttachmentInput& in);

struct StoredAttachment {
  std::int64_t post_id = 0;
  std::string sha256;
  std::string media_type;
  std::string file_name;
};
// The team's attachment; Error kNotFound when there is no such attachment of this team.
StoredAttachment find_attachment(pg::Tx& tx, std::int64_t team_id, std::int64_t attachment_id);

// The name a download is offered under: the member's name when it is plain ASCII, else
// "attachment-<id>" with the extension of its type.
std::string download_name(std::int64_t attachment_id, const StoredAttachment& a);

// Adds "attachments" ([{attachment_id, file_name, media_type, size_bytes, sha256, added_at}],
// oldest first) to each timeline item; `at`: post id -> index in `items`, `post_ids` the
// same ids as a PostgreSQL array literal.
void list_attachments(pg::Tx& tx, nlohmann::json& items,
                      const std::map<std::int64_t, std::size_t>& at, const std::string& post_ids);

}  // namespace hareyaka::care
