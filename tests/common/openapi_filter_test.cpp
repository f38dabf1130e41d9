// openapi_for_listener: a listener's document keeps only the paths that name it, and a
// document without paths stops the daemon at start rather than answering garbage.
#include <gtest/gtest.h>

#include "common/error.hpp"
#include "common/openapi.hpp"

namespace hareyaka::http {
namespace {

constexpr const char* kDoc = R"({"openapi":"3.1.0","paths":{
  "/healthz":{"x-listeners":["web","nodes"],"get":{}},
  "/api/v1/session":{"x-listeners":["web"],"get":{},"delete":{}},
  "/pix/v3":{"x-listeners":["nodes"],"post":{}},
  "/nowhere":{"get":{}}}})";

TEST(OpenApiFilter, EachListenerKeepsItsOwnPaths) {
  auto web = openapi_for_listener(kDoc, "web");
  EXPECT_EQ(web["x-listener"], "web");
  EXPECT_TRUE(web["paths"].contains("/healthz"));
  EXPECT_TRUE(web["paths"].contains("/api/v1/session"));
  EXPECT_FALSE(web["paths"].contains("/pix/v3"));
  EXPECT_FALSE(web["paths"].contains("/nowhere"));  // a path on no listener is served nowhere
  auto nodes = openapi_for_listener(kDoc, "nodes");
  EXPECT_EQ(nodes["paths"].size(), 2u);
  EXPECT_TRUE(nodes["paths"].contains("/pix/v3"));
  EXPECT_TRUE(openapi_for_listener(kDoc, "ops")["paths"].empty());
}

TEST(OpenApiFilter, ADocumentWithoutPathsIsRefused) {
  EXPECT_THROW(openapi_for_listener(R"({"openapi":"3.1.0"})", "web"), Error);
  EXPECT_THROW(openapi_for_listener("not json", "web"), nlohmann::json::exception);
}

TEST(OpenApiFilter, RouteListingIsMethodAndPatternInOrder) {
  Router r;
  add_openapi_route(r, kDoc, "web");
  r.add_blocking("PUT", "/a/{id}", [](Request&) { return Response::json(200, "{}"); });
  EXPECT_EQ(route_listing(r),
            nlohmann::json::parse(R"([["GET","/openapi.json"],["PUT","/a/{id}"]])"));
}

}  // namespace
}  // namespace hareyaka::http
