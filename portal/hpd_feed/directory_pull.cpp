#include "portal/hpd_feed/directory_pull.hpp"

#include <charconv>
#include <nlohmann/json.hpp>
#include <set>

#include "common/error.hpp"
#include "common/log.hpp"
#include "portal/hpd_feed/directory_reader.hpp"

namespace hareyaka::hpd_feed {
namespace {

using nlohmann::json;

constexpr pg::Statement kCaller{
    "pull_caller_facility",
    "SELECT oid FROM facilities WHERE gateway_cert_sha256 = $1 AND status = 'active'"};

std::int64_t number_param(const http::Request& req, const char* name, std::int64_t fallback,
                          std::int64_t max) {
  auto v = req.query_param(name);
  if (!v || v->empty())
    return fallback;
  std::int64_t n = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || p != v->data() + v->size() || n < 0 || n > max) {
    throw Error(ErrorCode::kBadRequest,
                std::string(name) + " must be a whole number from 0 to " + std::to_string(max));
  }
  return n;
}

json pull(pg::Tx& tx, std::int64_t since, int limit) {
  // A version beyond the log (the gateway pulled from another database): start over.
  const bool reset = since > current_version(tx);
  if (reset)
    since = 0;
  const auto changes = changes_since(tx, since, limit);
  json facilities = json::array(), users = json::array(), deleted = json::array();
  std::set<std::pair<FeedEntity, std::string>> done;
  // The latest change of each entity decides; its current state is what is sent.
  for (auto it = changes.rbegin(); it != changes.rend(); ++it) {
    if (!done.emplace(it->entity, it->key).second)
      continue;
    if (it->entity == FeedEntity::kFacility) {
      if (auto f = public_facility(tx, it->key)) {
        facilities.push_back({{"oid", f->oid},
                              {"name", f->name_kanji},
                              {"name_kana", f->name_kana},
                              {"name_en", f->name_en},
                              {"kind", hpd::to_string(f->kind)},
                              {"status", hpd::to_string(f->status)}});
        continue;
      }
    } else if (auto u = public_user(tx, it->key)) {
      users.push_back({{"login_id", u->login_id},
                       {"display_name", u->display_name},
                       {"profession", hpd::to_string(u->profession)},
                       {"facility_oid", u->facility_oid},
                       {"status", hpd::to_string(u->status)}});
      continue;
    }
    deleted.push_back({{"entity", to_string(it->entity)}, {"key", it->key}});
  }
  const std::int64_t version = changes.empty() ? since : changes.back().version;
  return {{"version", version},
          {"reset", reset},
          {"more", static_cast<int>(changes.size()) == limit},
          {"facilities", facilities},
          {"users", users},
          {"deleted", deleted}};
}

}  // namespace

void add_directory_pull_routes(http::Router& nodes, pg::Pool& pool) {
  nodes.add_blocking(
      "GET", "/api/gw/v1/directory",
      [&pool](http::Request& req) {
        const std::string fingerprint = req.peer ? req.peer->sha256_fingerprint : "";
        const auto since = number_param(req, "since", 0, INT64_MAX);
        const auto limit = static_cast<int>(number_param(req, "limit", 1000, 5000));
        auto body = pg::transact(pool, [&](pg::Tx& tx) -> json {
          if (fingerprint.empty() || tx.exec(kCaller, fingerprint).empty()) {
            throw Error(ErrorCode::kForbidden,
                        "the directory is for registered gateways: this certificate is not one");
          }
          return pull(tx, since, limit == 0 ? 1 : limit);
        });
        return http::Response::json(200, body.dump());
      },
      {.body_limit = 0,
       .summary = "directory entries for gateways (facilities, users; no secrets)"});
}

}  // namespace hareyaka::hpd_feed
