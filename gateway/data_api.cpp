#include "gateway/data_api.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/attachment.hpp"
#include "common/error.hpp"
#include "gateway/access.hpp"
#include "gateway/record/record_query.hpp"
#include "proto/encoding/dates.hpp"

namespace hareyaka::gateway {
namespace {

using http::Request;
using http::Response;
using nlohmann::json;

std::size_t size_param(const Request& req, const char* name, std::size_t fallback,
                       std::size_t max) {
  auto v = req.query_param(name);
  if (!v)
    return fallback;
  std::size_t n = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || p != v->data() + v->size() || n > max) {
    throw Error(ErrorCode::kBadRequest,
                std::string(name) + " must be a whole number up to " + std::to_string(max));
  }
  return n;
}

std::uint32_t date_param(const Request& req, const char* name) {
  auto v = req.query_param(name);
  if (!v || v->empty())
    return 0;
  auto d = record::parse_query_date(*v);
  if (!d)
    throw Error(ErrorCode::kBadRequest, std::string(name) + " must be a date (YYYY-MM-DD)");
  return *d;
}

AccessAssertion authorize(DataApiParts& p, const Request& req, const std::string& local_id,
                          const std::string& category) {
  return gateway::authorize({.verifier = p.verifier,
                             .audit = p.audit,
                             .facility_oid = p.settings.facility_oid,
                             .patient_authority = p.settings.patient_authority,
                             .directory = p.directory,
                             .unknown_users = p.settings.unknown_users},
                            req, {.category = category, .local_id = local_id});
}

// A category page of the SS-MIX2 items and `extra` (the supplement's), newest first. The
// SS-MIX2 part is read whole up to record::kMaxLimit items (a tenant with supplements is a
// small one: a pharmacy, a care facility).
json merged_page(const DataApiParts& p, const std::string& id, const std::string& cat,
                 const record::RecordQuery& q, std::vector<json>& extra) {
  record::RecordQuery all = q;
  all.offset = 0;
  all.limit = record::kMaxLimit;
  auto j = record::category(p.index, id, cat, all, p.parsed_files);
  if (!j)
    throw Error(ErrorCode::kNotFound, "no such patient");
  std::vector<json> items;
  for (auto& item : (*j)["items"])
    items.push_back(std::move(item));
  for (auto& e : extra) {
    const std::uint32_t d = encoding::compact_date(e.value("date", ""));
    if ((q.from && d && d < q.from) || (q.to && d && d > q.to))
      continue;
    items.push_back(std::move(e));
  }
  // SS-MIX2 diagnoses and allergies carry no "date": their start orders them with the rest.
  auto when = [](const json& j) {
    for (const char* key : {"date", "established", "onset", "collected_at"}) {
      if (auto it = j.find(key); it != j.end() && it->is_string() && !it->empty())
        return it->get<std::string>();
    }
    return std::string();
  };
  std::stable_sort(items.begin(), items.end(),
                   [&](const json& a, const json& b) { return when(a) > when(b); });
  json page = json::array();
  for (std::size_t i = q.offset; i < items.size() && i < q.offset + q.limit; ++i)
    page.push_back(std::move(items[i]));
  (*j)["items"] = std::move(page);
  (*j)["offset"] = q.offset;
  (*j)["limit"] = q.limit;
  (*j)["next_offset"] =
      q.offset + q.limit < items.size() ? json(q.offset + q.limit) : json(nullptr);
  return *j;
}

}  // namespace

void add_data_routes(http::Router& router, DataApiParts parts) {
  auto p = std::make_shared<DataApiParts>(std::move(parts));

  router.add_blocking("GET", "/gw/v1/patients/{id}",
                      [p](Request& req) {
                        const std::string& id = req.param("id");
                        authorize(*p, req, id, "demographics");
                        auto j = record::demographics(p->index, id, p->parsed_files);
                        if (!j)
                          throw Error(ErrorCode::kNotFound, "no such patient");
                        return Response::json(200, j->dump());
                      },
                      {.body_limit = 0, .summary = "a patient's demographics"});

  router.add_blocking("GET", "/gw/v1/patients/{id}/{category}",
                      [p](Request& req) {
                        const std::string& id = req.param("id");
                        const std::string& cat = req.param("category");
                        if (!record::is_category_name(cat))
                          throw Error(ErrorCode::kNotFound, "no such category");
                        authorize(*p, req, id, cat);
                        record::RecordQuery q;
                        q.from = date_param(req, "from");
                        q.to = date_param(req, "to");
                        q.offset = size_param(req, "offset", 0, 100'000'000);
                        q.limit =
                            size_param(req, "limit", record::kDefaultLimit, record::kMaxLimit);
                        std::vector<json> extra;
                        if (p->supplement)
                          extra = p->supplement(id, cat);
                        if (!extra.empty())
                          return Response::json(200, merged_page(*p, id, cat, q, extra).dump());
                        auto j = record::category(p->index, id, cat, q, p->parsed_files);
                        if (!j)
                          throw Error(ErrorCode::kNotFound, "no such patient");
                        return Response::json(200, j->dump());
                      },
                      {.body_limit = 0, .summary = "one category of a patient's record, paged"});

  router.add_blocking("GET", "/gw/v1/patients/{id}/documents/{document}",
                      [p](Request& req) {
                        const std::string& id = req.param("id");
                        authorize(*p, req, id, "documents");
                        auto doc = record::document_file(p->index, id, req.param("document"));
                        if (!doc && p->document)
                          doc = p->document(id, req.param("document"));
                        if (!doc)
                          throw Error(ErrorCode::kNotFound, "no such document");
                        Response res;
                        res.headers["Content-Type"] = doc->media_type;
                        // A download, never rendered (common/attachment.hpp).
                        http::serve_as_attachment(
                            res, std::filesystem::path(doc->path).filename().string());
                        res.body = http::FileBody{doc->path};
                        return res;
                      },
                      {.body_limit = 0, .summary = "a document, streamed"});

  router.add_blocking("GET", "/gw/v1/problems",
                      [p](Request& req) {
                        p->readers->require(req);
                        const auto offset = size_param(req, "offset", 0, 100'000'000);
                        const auto limit = size_param(req, "limit", 100, 1000);
                        return Response::json(200,
                                              record::problems(p->index, offset, limit).dump());
                      },
                      {.body_limit = 0, .summary = "files that cannot be used, with the reason"});

  router.add_blocking("GET", "/gw/v1/stats",
                      [p](Request& req) {
                        p->readers->require(req);
                        return Response::json(200, record::stats(p->index).dump());
                      },
                      {.body_limit = 0, .summary = "counts per data type"});
}

}  // namespace hareyaka::gateway
