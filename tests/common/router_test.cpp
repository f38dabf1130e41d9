// Which route answers a path: the most specific match, not the first one registered.
#include "common/router.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace hareyaka::http {
namespace {

Response ok(Request&) {
  return Response::text(200, "");
}

std::string matched(const Router& r, std::string_view method, std::string_view path,
                    std::map<std::string, std::string>* params = nullptr) {
  std::map<std::string, std::string> p;
  const auto m = r.match(method, path, p);
  if (params)
    *params = p;
  return m.route ? m.route->pattern : (m.path_known ? "405" : "404");
}

TEST(Router, ALiteralSegmentBeatsAParameterWhateverTheOrderOfRegistration) {
  for (bool literal_first : {false, true}) {
    Router r;
    auto add_literal = [&] { r.add_blocking("GET", "/persons/{id}/communities", ok); };
    if (literal_first)
      add_literal();
    r.add_blocking("GET", "/persons/{id}/{category}", ok);
    if (!literal_first)
      add_literal();
    std::map<std::string, std::string> params;
    EXPECT_EQ(matched(r, "GET", "/persons/7/communities", &params), "/persons/{id}/communities");
    EXPECT_EQ(params.at("id"), "7");
    EXPECT_EQ(matched(r, "GET", "/persons/7/allergies", &params), "/persons/{id}/{category}");
    EXPECT_EQ(params.at("category"), "allergies");
  }
}

TEST(Router, TheFirstDifferingSegmentDecides) {
  Router r;
  r.add_blocking("GET", "/a/{x}/c", ok);
  r.add_blocking("GET", "/a/b/{y}", ok);
  EXPECT_EQ(matched(r, "GET", "/a/b/c"), "/a/b/{y}");
  EXPECT_EQ(matched(r, "GET", "/a/z/c"), "/a/{x}/c");
}

TEST(Router, AnotherMethodOnAKnownPathIs405AndHeadIsServedByGet) {
  Router r;
  r.add_blocking("POST", "/persons/{id}/communities", ok);
  r.add_blocking("GET", "/persons/{id}/{category}", ok);
  EXPECT_EQ(matched(r, "GET", "/persons/1/communities"), "/persons/{id}/{category}");
  EXPECT_EQ(matched(r, "HEAD", "/persons/1/x"), "/persons/{id}/{category}");
  EXPECT_EQ(matched(r, "DELETE", "/persons/1/x"), "405");
  EXPECT_EQ(matched(r, "GET", "/persons/1"), "404");
}

TEST(Router, AnUnreachableDuplicateIsRefusedWhenAdded) {
  Router r;
  r.add_blocking("GET", "/persons/{id}", ok);
  EXPECT_THROW(r.add_blocking("GET", "/persons/{person_id}", ok), std::invalid_argument);
  EXPECT_NO_THROW(r.add_blocking("DELETE", "/persons/{id}", ok));
  EXPECT_NO_THROW(r.add_blocking("GET", "/persons/me", ok));
  EXPECT_THROW(r.add_blocking("GET", "persons", ok), std::invalid_argument);
}

}  // namespace
}  // namespace hareyaka::http
