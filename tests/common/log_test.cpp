#include "common/log.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <type_traits>

namespace hareyaka::log {
namespace {

TEST(Log, JsonLinesCarryOnlyTheGivenFields) {
  auto line = format_line(Format::kJson, Level::kInfo, "request",
                          {.request_id = "r1", .route = "/x/{id}", .status = 200});
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["msg"], "request");
  EXPECT_EQ(j["level"], "info");
  EXPECT_EQ(j["request_id"], "r1");
  EXPECT_EQ(j["status"], 200);
  EXPECT_FALSE(j.contains("user"));
  EXPECT_TRUE(j.contains("ts"));
}

TEST(Log, TextLinesQuoteValuesWithSpaces) {
  auto line = format_line(Format::kText, Level::kWarn, "scan", {.detail = "two words", .count = 3});
  EXPECT_NE(line.find(" warn scan detail=\"two words\" count=3"), std::string::npos) << line;
}

// The message must be a literal: strings built at run time (which could hold patient data)
// do not convert to log::Text.
static_assert(std::is_convertible_v<const char (&)[4], Text>);
static_assert(!std::is_convertible_v<std::string, Text>);
static_assert(!std::is_convertible_v<const char*, Text>);

}  // namespace
}  // namespace hareyaka::log
