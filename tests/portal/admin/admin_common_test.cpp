// The admin API's input helpers: dates in Japan time, paging parameters, LIKE escaping and
// body fields, each refusing bad input with a message naming the field.
#include "portal/admin/admin_common.hpp"

#include <gtest/gtest.h>

#include "common/error.hpp"

namespace hareyaka::admin {
namespace {

using std::chrono::seconds;

std::int64_t unix_s(hpd::TimePoint t) {
  return std::chrono::duration_cast<seconds>(t.time_since_epoch()).count();
}

TEST(AdminCommon, DatesAreJapaneseDaysAndTimestampsKeepTheirOffset) {
  // 2026-11-24 in Japan starts at 2026-11-23T15:00:00Z.
  EXPECT_EQ(iso_time(parse_time("2026-11-24", "start")), "2026-11-23T15:00:00Z");
  // As an end, the whole day is included.
  EXPECT_EQ(iso_time(parse_time("2026-11-24", "expiry", true)), "2026-11-24T15:00:00Z");
  EXPECT_EQ(iso_time(parse_time("2026-11-24T03:04:05Z", "at")), "2026-11-24T03:04:05Z");
  EXPECT_EQ(iso_time(parse_time("2026-11-24T12:04:05+09:00", "at")), "2026-11-24T03:04:05Z");
  EXPECT_EQ(iso_time(parse_time("2026-11-24T03:04:05.123Z", "at")), "2026-11-24T03:04:05Z");
  EXPECT_EQ(unix_s(parse_time("1970-01-01T00:00:00Z", "at")), 0);
  for (const char* bad :
       {"", "2026-13-01", "2026-11-32", "26-11-24", "2026/11/24", "2026-11-24T03:04",
        "2026-11-24T03:04:05", "2026-11-24T25:00:00Z", "2026-11-24T03:04:05+0900"}) {
    try {
      parse_time(bad, "expiry");
      ADD_FAILURE() << bad;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kBadRequest) << bad;
      EXPECT_NE(e.external().find("expiry"), std::string::npos) << bad;
    }
  }
}

TEST(AdminCommon, PagingParametersAreBounded) {
  http::Request req;
  EXPECT_EQ(page_request(req).limit, 50);
  req.query = {{"page_size", "200"}, {"cursor", "abc"}};
  auto p = page_request(req);
  EXPECT_EQ(p.limit, 200);
  EXPECT_EQ(p.after, "abc");
  for (const char* bad : {"0", "201", "-1", "ten", "5x"}) {
    req.query = {{"page_size", bad}};
    EXPECT_THROW(page_request(req), Error) << bad;
  }
  req.query = {{"page_size", "500"}};
  EXPECT_EQ(page_request(req, 500).limit, 500);
}

TEST(AdminCommon, PrefixSearchEscapesLikeWildcards) {
  EXPECT_EQ(like_prefix("晴れ"), "晴れ%");
  EXPECT_EQ(like_prefix("a%b_c\\"), "a\\%b\\_c\\\\%");
}

TEST(AdminCommon, BodyFieldsNameWhatIsWrong) {
  http::Request req;
  req.body = R"({"name": "x", "n": 1, "flag": "yes", "none": null})";
  auto j = parse_object(req);
  EXPECT_EQ(req_string(j, "name"), "x");
  EXPECT_FALSE(opt_string(j, "none"));
  EXPECT_FALSE(opt_string(j, "absent"));
  try {
    req_string(j, "n");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.external(), "n must be a string");
  }
  try {
    req_string(j, "absent");
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.external(), "absent is required");
  }
  EXPECT_THROW(opt_bool(j, "flag"), Error);
  req.body = "[1]";
  EXPECT_THROW(parse_object(req), Error);
  req.body = "{";
  EXPECT_THROW(parse_object(req), Error);
  req.body = "";
  EXPECT_TRUE(parse_object(req).empty());
}

}  // namespace
}  // namespace hareyaka::admin
