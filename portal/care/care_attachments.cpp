#include "portal/care/care_attachments.hpp"

#include "common/attachment.hpp"
#include "common/error.hpp"
#include "common/media_check.hpp"
#include "portal/care/care_sql.hpp"
#include "proto/hl7v2/charset.hpp"

namespace hareyaka::care {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxNameBytes = 200;

constexpr pg::Statement kPostOf{
    "care_attachment_post",
    "SELECT p.author_member_id, (SELECT count(*) FROM care_post_attachments a "
    "WHERE a.post_id = p.id) FROM care_posts p WHERE p.id = $1 AND p.team_id = $2 FOR UPDATE"};
constexpr pg::Statement kInsert{
    "care_attachment_insert",
    "INSERT INTO care_post_attachments (post_id, sha256, media_type, file_name, size_bytes, "
    "added_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, " HY_CARE_TIME("added_at")};
constexpr pg::Statement kFind{
    "care_attachment_find",
    "SELECT a.post_id, a.sha256, a.media_type, a.file_name FROM care_post_attachments a "
    "JOIN care_posts p ON p.id = a.post_id WHERE a.id = $1 AND p.team_id = $2"};
constexpr pg::Statement kOfPosts{
    "care_attachments_of_posts",
    "SELECT post_id, id, file_name, media_type, size_bytes, sha256, " HY_CARE_TIME(
        "added_at") " FROM care_post_attachments WHERE post_id = ANY($1::bigint[]) "
                    "ORDER BY post_id, id"};

void check_name(const std::string& name) {
  if (name.empty())
    throw Error(ErrorCode::kUnprocessable, "name: the file's name is required (?name=)");
  if (name.size() > kMaxNameBytes)
    throw Error(ErrorCode::kUnprocessable, "name: at most 200 bytes");
  if (!hl7v2::is_valid_utf8(name))
    throw Error(ErrorCode::kUnprocessable, "name: not UTF-8 text");
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f || c == '/' || c == '\\')
      throw Error(ErrorCode::kUnprocessable, "name: no '/', '\\' or control characters");
  }
}

json attachment_json(std::int64_t id, const std::string& name, const std::string& type,
                     std::int64_t size, const std::string& sha256, const std::string& at) {
  return {{"attachment_id", std::to_string(id)},
          {"file_name", name},
          {"media_type", type},
          {"size_bytes", size},
          {"sha256", sha256},
          {"added_at", at}};
}

}  // namespace

json add_attachment(pg::Tx& tx, const ContentStore& store, std::int64_t team_id,
                    std::int64_t post_id, std::int64_t member_id, const AttachmentInput& in) {
  checked_extension(in.media_type, in.bytes);
  if (in.bytes.size() > kMaxAttachmentBytes)
    throw Error(ErrorCode::kPayloadTooLarge, "an attachment is at most 20 MiB");
  check_name(in.file_name);
  auto post = tx.exec(kPostOf, post_id, team_id);
  if (post.empty())
    throw Error(ErrorCode::kNotFound, "no such post");
  if (post[0][0].as<std::int64_t>() != member_id)
    throw Error(ErrorCode::kForbidden, "not_the_author: only the author may attach to a post");
  if (post[0][1].as<int>() >= kMaxAttachmentsPerPost)
    throw Error(ErrorCode::kConflict, "a post has at most 10 attachments");
  // The bytes are on disk before the row names them; a failed transaction leaves an unnamed
  // blob, never a row without its file.
  const ContentStore::Put put = store.put(in.bytes);
  const auto size = static_cast<std::int64_t>(in.bytes.size());
  auto row = tx.exec(kInsert, post_id, put.sha256, in.media_type, in.file_name, size, member_id);
  return attachment_json(row[0][0].as<std::int64_t>(), in.file_name, in.media_type, size,
                         put.sha256, row[0][1].as<std::string>());
}

StoredAttachment find_attachment(pg::Tx& tx, std::int64_t team_id, std::int64_t attachment_id) {
  auto r = tx.exec(kFind, attachment_id, team_id);
  if (r.empty())
    throw Error(ErrorCode::kNotFound, "no such attachment");
  return {.post_id = r[0][0].as<std::int64_t>(),
          .sha256 = r[0][1].as<std::string>(),
          .media_type = r[0][2].as<std::string>(),
          .file_name = r[0][3].as<std::string>()};
}

std::string download_name(std::int64_t attachment_id, const StoredAttachment& a) {
  if (http::plain_file_name(a.file_name))
    return a.file_name;
  return "attachment-" + std::to_string(attachment_id) + extension_for(a.media_type);
}

void list_attachments(pg::Tx& tx, json& items, const std::map<std::int64_t, std::size_t>& at,
                      const std::string& post_ids) {
  for (auto& item : items)
    item["attachments"] = json::array();
  for (const auto& row : tx.exec(kOfPosts, post_ids)) {
    auto it = at.find(row[0].as<std::int64_t>());
    if (it == at.end())
      continue;
    items[it->second]["attachments"].push_back(attachment_json(
        row[1].as<std::int64_t>(), row[2].as<std::string>(), row[3].as<std::string>(),
        row[4].as<std::int64_t>(), row[5].as<std::string>(), row[6].as<std::string>()));
  }
}

}  // namespace hareyaka::care
