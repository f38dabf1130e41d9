#include "gateway/data_api.hpp"

#include <charconv>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/attachment.hpp"
#include "common/error.hpp"
#include "gateway/access.hpp"
#include "gateway/record/record_query.hpp"

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
