// The OpenAPI document of a daemon (docs/openapi/*.yaml, converted to JSON and compiled in)
// served at GET /openapi.json. One document describes all listeners of a daemon; each path
// names the listeners it is on (x-listeners), and each listener serves only its own paths,
// so a client of the node listener never learns the browser API and the other way round.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/router.hpp"

namespace hareyaka::http {

// The document with only the paths whose x-listeners name this listener.
nlohmann::json openapi_for_listener(std::string_view document_json, const std::string& listener);

// GET /openapi.json on this router, answering openapi_for_listener(document, listener).
void add_openapi_route(Router& router, std::string_view document_json, const std::string& listener);

// [["GET", "/api/v1/session"], ...] in registration order: what the router serves, for the
// ports file (tests compare it with the document).
nlohmann::json route_listing(const Router& router);

}  // namespace hareyaka::http
