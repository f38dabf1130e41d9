#include "common/openapi.hpp"

#include <algorithm>
#include <memory>

#include "common/error.hpp"

namespace hareyaka::http {

nlohmann::json openapi_for_listener(std::string_view document_json, const std::string& listener) {
  auto doc = nlohmann::json::parse(document_json);
  if (!doc.contains("paths") || !doc["paths"].is_object())
    throw Error(ErrorCode::kInternal, "internal error", "openapi document without paths");
  nlohmann::json kept = nlohmann::json::object();
  for (auto& [path, item] : doc["paths"].items()) {
    const auto on = item.value("x-listeners", nlohmann::json::array());
    if (std::find(on.begin(), on.end(), listener) != on.end())
      kept[path] = item;
  }
  doc["paths"] = std::move(kept);
  doc["x-listener"] = listener;
  return doc;
}

void add_openapi_route(Router& router, std::string_view document_json,
                       const std::string& listener) {
  // Filtered once at start: a broken document stops the daemon instead of every request.
  auto body =
      std::make_shared<const std::string>(openapi_for_listener(document_json, listener).dump());
  router.add("GET", "/openapi.json",
             [body](Request&) -> boost::asio::awaitable<Response> {
               co_return Response::json(200, *body);
             },
             {.body_limit = 0, .summary = "this listener's OpenAPI 3.1 document"});
}

nlohmann::json route_listing(const Router& router) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : router.routes())
    out.push_back({r.method, r.pattern});
  return out;
}

}  // namespace hareyaka::http
