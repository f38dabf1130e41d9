// This daemon's OpenAPI 3.1 document as JSON (docs/openapi/gateway.yaml, converted and compiled
// in by hareyaka_embed_openapi in cmake/hareyaka.cmake).
#pragma once

#include <string_view>

namespace hareyaka::gateway {

std::string_view openapi_document();

}  // namespace hareyaka::gateway
