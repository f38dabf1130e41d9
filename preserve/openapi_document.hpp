// This daemon's OpenAPI 3.1 document as JSON (docs/openapi/preserve.yaml, compiled in by
// hareyaka_embed_openapi in cmake/hareyaka.cmake).
#pragma once

#include <string_view>

namespace hareyaka::preserve {

std::string_view openapi_document();

}  // namespace hareyaka::preserve
