#include "portal/care/care_posts.hpp"

#include <charconv>
#include <limits>
#include <map>

#include "common/error.hpp"
#include "pix/pg_identity_sql.hpp"
#include "portal/care/care_attachments.hpp"
#include "portal/care/care_sql.hpp"
#include "portal/care/care_store.hpp"

namespace hareyaka::care {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxText = 20'000;
constexpr std::size_t kMaxMentions = 50;

constexpr pg::Statement kInsertPost{
    "care_insert_post",
    "INSERT INTO care_posts (team_id, author_member_id, care_column) VALUES ($1, $2, $3) "
    "RETURNING id"};
constexpr pg::Statement kInsertVersion{
    "care_insert_version",
    "INSERT INTO care_post_versions (post_id, version, kind, subjective, objective, assessment, "
    "plan, body, reason, written_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"};
constexpr pg::Statement kInsertMentions{
    "care_insert_mentions",
    "INSERT INTO care_post_mentions (post_id, member_id) "
    "SELECT $1, m FROM unnest($2::bigint[]) AS m ON CONFLICT DO NOTHING"};
constexpr pg::Statement kLockPost{
    "care_lock_post",
    "SELECT author_member_id, current_version FROM care_posts WHERE id = $1 AND team_id = $2 "
    "FOR UPDATE"};
constexpr pg::Statement kSetVersion{"care_set_version",
                                    "UPDATE care_posts SET current_version = $2 WHERE id = $1"};
constexpr pg::Statement kCurrentVersion{
    "care_current_version",
    "SELECT current_version FROM care_posts WHERE id = $1 AND team_id = $2"};
constexpr pg::Statement kRead{
    "care_mark_read",
    "INSERT INTO care_post_reads (post_id, member_id, version) VALUES ($1, $2, $3) "
    "ON CONFLICT (post_id, member_id) DO UPDATE SET version = EXCLUDED.version, "
    "read_at = now() RETURNING " HY_CARE_TIME("read_at")};
// The page: each post's current version and its author.
constexpr pg::Statement kPage{
    "care_timeline",
    "SELECT p.id, p.care_column, p.current_version, " HY_CARE_TIME(
        "p.created_at") ", m.id, u.login_id, u.display_name, u.facility_oid, f.name_kanji, "
                        "m.care_profession, v.kind, v.subjective, v.objective, v.assessment, "
                        "v.plan, v.body, v.reason, " HY_CARE_TIME(
                            "v.written_at") " "
                                            "FROM care_posts p "
                                            "JOIN care_post_versions v ON v.post_id = p.id AND "
                                            "v.version = p.current_version "
                                            "JOIN care_team_members m ON m.id = p.author_member_id "
                                            "JOIN users u ON u.id = m.user_id "
                                            "JOIN facilities f ON f.oid = u.facility_oid "
                                            "WHERE p.team_id = $1 AND p.id < $2 "
                                            "AND ($5 = 0 OR p.id = $5) "
                                            "AND (cardinality($3::text[]) = 0 OR "
                                            "p.care_column = ANY($3::text[])) "
                                            "ORDER BY p.id DESC LIMIT $4"};
constexpr pg::Statement kEarlier{
    "care_timeline_earlier",
    "SELECT v.post_id, v.version, v.kind, v.subjective, v.objective, v.assessment, v.plan, "
    "v.body, v.reason, " HY_CARE_TIME("v.written_at") " FROM care_post_versions v "
                                                      "JOIN care_posts p ON p.id = v.post_id "
                                                      "WHERE v.post_id = ANY($1::bigint[]) AND "
                                                      "v.version < p.current_version "
                                                      "ORDER BY v.post_id, v.version DESC"};
constexpr pg::Statement kMentions{
    "care_timeline_mentions",
    "SELECT post_id, member_id FROM care_post_mentions WHERE post_id = ANY($1::bigint[]) "
    "ORDER BY post_id, member_id"};
constexpr pg::Statement kReads{
    "care_timeline_reads",
    "SELECT r.post_id, r.member_id, u.login_id, r.version, " HY_CARE_TIME(
        "r.read_at") " FROM care_post_reads r "
                     "JOIN care_team_members m ON m.id = r.member_id "
                     "JOIN users u ON u.id = m.user_id "
                     "WHERE r.post_id = ANY($1::bigint[]) ORDER BY r.post_id, r.read_at"};
constexpr pg::Statement kUnread{"care_unread",
                                "SELECT count(*) FROM care_posts p LEFT JOIN care_post_reads r "
                                "ON r.post_id = p.id AND r.member_id = $2 "
                                "WHERE p.team_id = $1 AND p.author_member_id <> $2 "
                                "AND (r.version IS NULL OR r.version < p.current_version)"};

std::string text_field(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null())
    return "";
  if (!it->is_string())
    throw Error(ErrorCode::kBadRequest, std::string("'") + name + "' must be a string");
  std::string v = it->get<std::string>();
  if (v.size() > kMaxText)
    throw Error(ErrorCode::kUnprocessable,
                std::string("'") + name + "' is longer than 20000 bytes");
  return v;
}

std::int64_t id_of(const json& v) {
  std::int64_t id = 0;
  if (v.is_number_integer())
    id = v.get<std::int64_t>();
  else if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
    if (ec != std::errc() || p != s.data() + s.size())
      id = 0;
  }
  if (id <= 0)
    throw Error(ErrorCode::kBadRequest, "'mentions' must be member ids");
  return id;
}

std::string bigint_array(const std::vector<std::int64_t>& ids) {
  std::string out = "{";
  for (std::size_t i = 0; i < ids.size(); ++i)
    out += (i ? "," : "") + std::to_string(ids[i]);
  return out + "}";
}

json version_json(const pqxx::row& row, int first) {
  json v{{"kind", row[first].as<std::string>()}};
  if (v["kind"] == "soap") {
    v["subjective"] = row[first + 1].as<std::string>();
    v["objective"] = row[first + 2].as<std::string>();
    v["assessment"] = row[first + 3].as<std::string>();
    v["plan"] = row[first + 4].as<std::string>();
  } else {
    v["body"] = row[first + 5].as<std::string>();
  }
  if (!row[first + 6].as<std::string>().empty())
    v["reason"] = row[first + 6].as<std::string>();
  v["written_at"] = row[first + 7].as<std::string>();
  return v;
}

void insert_version(pg::Tx& tx, std::int64_t post_id, int version, std::int64_t member_id,
                    const PostInput& in) {
  tx.exec(kInsertVersion, post_id, version, in.kind, in.subjective, in.objective, in.assessment,
          in.plan, in.body, in.reason, member_id);
  if (!in.mentions.empty())
    tx.exec(kInsertMentions, post_id, bigint_array(in.mentions));
}

}  // namespace

PostInput parse_post(const json& body, bool correction) {
  if (!body.is_object())
    throw Error(ErrorCode::kBadRequest, "the body must be a JSON object");
  PostInput in;
  in.kind = text_field(body, "kind");
  if (in.kind.empty())
    in.kind = "text";
  if (in.kind != "soap" && in.kind != "text")
    throw Error(ErrorCode::kBadRequest, "'kind' must be soap or text");
  if (in.kind == "soap") {
    in.subjective = text_field(body, "subjective");
    in.objective = text_field(body, "objective");
    in.assessment = text_field(body, "assessment");
    in.plan = text_field(body, "plan");
    if (in.subjective.empty() && in.objective.empty() && in.assessment.empty() && in.plan.empty())
      throw Error(ErrorCode::kUnprocessable, "a SOAP post needs one of S, O, A and P");
  } else {
    in.body = text_field(body, "body");
    if (in.body.empty())
      throw Error(ErrorCode::kUnprocessable, "'body' is required for a text post");
  }
  if (auto it = body.find("mentions"); it != body.end() && !it->is_null()) {
    if (!it->is_array() || it->size() > kMaxMentions)
      throw Error(ErrorCode::kBadRequest, "'mentions' must be an array of at most 50 member ids");
    for (const auto& m : *it)
      in.mentions.push_back(id_of(m));
  }
  in.reason = text_field(body, "reason");
  if (correction && in.reason.empty())
    throw Error(ErrorCode::kUnprocessable, "'reason' is required for a correction");
  if (!correction)
    in.reason.clear();
  return in;
}

std::int64_t create_post(pg::Tx& tx, std::int64_t team_id, std::int64_t member_id, Column column,
                         const PostInput& in) {
  check_active_members(tx, team_id, in.mentions);
  const auto id = tx.exec(kInsertPost, team_id, member_id, std::string(to_string(column)))[0][0]
                      .as<std::int64_t>();
  insert_version(tx, id, 1, member_id, in);
  return id;
}

int correct_post(pg::Tx& tx, std::int64_t team_id, std::int64_t post_id, std::int64_t member_id,
                 const PostInput& in) {
  auto r = tx.exec(kLockPost, post_id, team_id);
  if (r.empty())
    throw Error(ErrorCode::kNotFound, "no such post");
  if (r[0][0].as<std::int64_t>() != member_id)
    throw Error(ErrorCode::kForbidden, "not_the_author: only the author may correct a post");
  check_active_members(tx, team_id, in.mentions);
  const int version = r[0][1].as<int>() + 1;
  insert_version(tx, post_id, version, member_id, in);
  tx.exec(kSetVersion, post_id, version);
  return version;
}

json mark_read(pg::Tx& tx, std::int64_t team_id, std::int64_t post_id, std::int64_t member_id) {
  auto r = tx.exec(kCurrentVersion, post_id, team_id);
  if (r.empty())
    throw Error(ErrorCode::kNotFound, "no such post");
  const int version = r[0][0].as<int>();
  auto at = tx.exec(kRead, post_id, member_id, version)[0][0].as<std::string>();
  return {{"post_id", std::to_string(post_id)}, {"version", version}, {"read_at", at}};
}

json timeline(pg::Tx& tx, std::int64_t team_id, std::int64_t member_id,
              const TimelineRequest& req) {
  const std::int64_t before =
      req.before > 0 ? req.before : std::numeric_limits<std::int64_t>::max();
  json items = json::array();
  std::vector<std::int64_t> ids;
  std::map<std::int64_t, std::size_t> at;
  auto page = tx.exec(kPage, team_id, before, pix::sql::text_array(req.columns), req.limit + 1,
                      req.only_post);
  for (const auto& row : page) {
    if (static_cast<int>(ids.size()) == req.limit)
      break;
    const auto id = row[0].as<std::int64_t>();
    json item = version_json(row, 10);
    item["post_id"] = std::to_string(id);
    item["column"] = row[1].as<std::string>();
    item["version"] = row[2].as<int>();
    item["created_at"] = row[3].as<std::string>();
    item["author"] = {
        {"member_id", row[4].as<std::string>()},     {"login_id", row[5].as<std::string>()},
        {"display_name", row[6].as<std::string>()},  {"facility_oid", row[7].as<std::string>()},
        {"facility_name", row[8].as<std::string>()}, {"care_profession", row[9].as<std::string>()}};
    item["corrected"] = row[2].as<int>() > 1;
    item["superseded_versions"] = json::array();
    item["mentions"] = json::array();
    item["read_by"] = json::array();
    item["read_by_me"] = false;
    item["mentions_me"] = false;
    at[id] = items.size();
    ids.push_back(id);
    items.push_back(std::move(item));
  }
  json out = json::object();
  if (static_cast<int>(page.size()) > req.limit && !ids.empty())
    out["next_cursor"] = std::to_string(ids.back());
  if (!ids.empty()) {
    const std::string list = bigint_array(ids);
    for (const auto& row : tx.exec(kEarlier, list)) {
      json v = version_json(row, 2);
      v["version"] = row[1].as<int>();
      v["superseded"] = true;
      items[at[row[0].as<std::int64_t>()]]["superseded_versions"].push_back(std::move(v));
    }
    for (const auto& row : tx.exec(kMentions, list)) {
      json& item = items[at[row[0].as<std::int64_t>()]];
      item["mentions"].push_back(row[1].as<std::string>());
      if (row[1].as<std::int64_t>() == member_id)
        item["mentions_me"] = true;
    }
    for (const auto& row : tx.exec(kReads, list)) {
      json& item = items[at[row[0].as<std::int64_t>()]];
      const int version = row[3].as<int>();
      item["read_by"].push_back({{"member_id", row[1].as<std::string>()},
                                 {"login_id", row[2].as<std::string>()},
                                 {"version", version},
                                 {"current", version == item["version"].get<int>()},
                                 {"read_at", row[4].as<std::string>()}});
      if (row[1].as<std::int64_t>() == member_id && version == item["version"].get<int>())
        item["read_by_me"] = true;
    }
    list_attachments(tx, items, at, list);
  }
  out["items"] = std::move(items);
  return out;
}

std::int64_t unread_count(pg::Tx& tx, std::int64_t team_id, std::int64_t member_id) {
  return tx.exec(kUnread, team_id, member_id)[0][0].as<std::int64_t>();
}

}  // namespace hareyaka::care
