#include "preserve/routes.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "common/log.hpp"
#include "proto/preserve/manifest.hpp"

namespace hareyaka::preserve {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxObject = 64u << 20;  // a preserved file, sealed and base64

class Gate {
 public:
  explicit Gate(const std::vector<FacilityAccess>& facilities) : facilities_(facilities) {}

  // The facility's oid when the TLS peer may do this to it; 403 otherwise.
  const std::string& require(const http::Request& req, bool write) const {
    const std::string& oid = req.params.at("facility");
    const std::string fp = req.peer ? req.peer->sha256_fingerprint : "";
    for (const auto& f : facilities_) {
      if (f.oid != oid)
        continue;
      const auto& list = write ? f.writers : f.readers;
      if (!fp.empty() && std::find(list.begin(), list.end(), fp) != list.end())
        return f.oid;
    }
    log::warn("preservation request refused",
              {.component = "preserve",
               .detail = std::string(write ? "write" : "read") + " by " +
                         (req.peer ? req.peer->subject : "no certificate")});
    throw Error(ErrorCode::kForbidden, "this certificate may not use this facility's copy");
  }

 private:
  const std::vector<FacilityAccess>& facilities_;
};

}  // namespace

void add_preserve_routes(http::Router& router, PreservationStore& store,
                         const std::vector<FacilityAccess>& facilities) {
  auto gate = std::make_shared<Gate>(facilities);
  router.add_blocking(
      "PUT", "/pv/v1/facilities/{facility}/objects/{object}",
      [&store, gate](http::Request& req) {
        const auto& oid = gate->require(req, true);
        const bool stored = store.put_object(oid, req.params.at("object"), req.body);
        return http::Response::json(stored ? 201 : 200, json{{"stored", stored}}.dump());
      },
      {.body_limit = kMaxObject, .summary = "store an encrypted object under its SHA-256"});
  router.add_blocking("GET", "/pv/v1/facilities/{facility}/objects/{object}",
                      [&store, gate](http::Request& req) {
                        const auto& oid = gate->require(req, false);
                        auto blob = store.object(oid, req.params.at("object"));
                        if (!blob)
                          throw Error(ErrorCode::kNotFound, "no such object");
                        return http::Response::text(200, std::move(*blob),
                                                    "application/octet-stream");
                      },
                      {.body_limit = 0, .summary = "an encrypted object"});
  router.add_blocking(
      "POST", "/pv/v1/facilities/{facility}/objects/missing",
      [&store, gate](http::Request& req) {
        const auto& oid = gate->require(req, true);
        const json body = json::parse(req.body, nullptr, false);
        if (!body.is_object() || !body.contains("objects") || !body["objects"].is_array() ||
            body["objects"].size() > kMaxObjects)
          throw Error(ErrorCode::kBadRequest, "body must be {\"objects\": [digest, ...]}");
        std::vector<std::string> asked;
        for (const auto& o : body["objects"]) {
          if (!o.is_string())
            throw Error(ErrorCode::kBadRequest, "objects must be SHA-256 digests");
          asked.push_back(o.get<std::string>());
        }
        return http::Response::json(200, json{{"missing", store.missing(oid, asked)}}.dump());
      },
      {.body_limit = 16u << 20, .summary = "which of these objects the node does not hold"});
  router.add_blocking(
      "PUT", "/pv/v1/facilities/{facility}/patients/{patient}/generations/{generation}",
      [&store, gate](http::Request& req) {
        const auto& oid = gate->require(req, true);
        auto a = store.put_manifest(oid, req.params.at("patient"), req.params.at("generation"),
                                    req.body);
        return http::Response::json(
            a.stored ? 201 : 200, json{{"generation", a.generation}, {"stored", a.stored}}.dump());
      },
      {.body_limit = 64u << 20, .summary = "store a generation's signed manifest (write-once)"});
  router.add_blocking(
      "DELETE", "/pv/v1/facilities/{facility}/patients/{patient}",
      [&store, gate](http::Request& req) {
        const auto& oid = gate->require(req, true);
        const auto r = store.purge(oid, req.params.at("patient"));
        log::info("patient's copy purged", {.request_id = req.request_id,
                                            .component = "preserve",
                                            .detail = oid,
                                            .count = r.generations_removed});
        return http::Response::json(200, json{{"generations_removed", r.generations_removed},
                                              {"objects_removed", r.objects_removed},
                                              {"objects_kept", r.objects_kept}}
                                             .dump());
      },
      {.body_limit = 0,
       .summary = "remove a patient's generations and their objects (the consent ended)"});
  router.add_blocking(
      "GET", "/pv/v1/facilities/{facility}/patients/{patient}/generations/{generation}",
      [&store, gate](http::Request& req) {
        const auto& oid = gate->require(req, false);
        auto m = store.manifest(oid, req.params.at("patient"), req.params.at("generation"));
        if (!m)
          throw Error(ErrorCode::kNotFound, "no such generation");
        return http::Response::json(200, std::move(*m));
      },
      {.body_limit = 0, .summary = "a generation's signed manifest"});
  router.add_blocking(
      "GET", "/pv/v1/facilities/{facility}/patients",
      [&store, gate](http::Request& req) {
        const auto& oid = gate->require(req, false);
        const std::string after = req.query_param("after").value_or("");
        std::size_t limit = 500;
        if (auto l = req.query_param("limit")) {
          try {
            limit = std::clamp<std::size_t>(std::stoul(*l), 1, 5000);
          } catch (const std::exception&) {
            throw Error(ErrorCode::kBadRequest, "limit must be a number");
          }
        }
        json patients = json::array();
        const auto page = store.patients(oid, after, limit);
        for (const auto& p : page)
          patients.push_back({{"patient", p.patient}, {"generations", p.generations}});
        json next = page.size() == limit ? json(page.back().patient) : json();
        return http::Response::json(200, json{{"patients", patients}, {"next", next}}.dump());
      },
      {.body_limit = 0, .summary = "patient references held, each with its generations"});
  router.add_blocking("GET", "/pv/v1/facilities/{facility}/status",
                      [&store, gate](http::Request& req) {
                        const auto& oid = gate->require(req, false);
                        const auto s = store.stats(oid);
                        return http::Response::json(200, json{{"patients", s.patients},
                                                              {"generations", s.generations},
                                                              {"objects", s.objects},
                                                              {"bytes", s.bytes}}
                                                             .dump());
                      },
                      {.body_limit = 0, .summary = "how much of the facility's copy is held"});
}

}  // namespace hareyaka::preserve
