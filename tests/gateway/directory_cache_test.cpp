// DirectoryCache: what it says about the viewer of an assertion under each unknown-user
// policy, before and after the first pull; persistence across restarts; deletions and the
// portal's reset.
#include "gateway/directory/directory_cache.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/process.hpp"

namespace hareyaka::gateway {
namespace {

using nlohmann::json;

constexpr const char* kClinic = "1.2.392.200284.33.2000001";

json page(std::int64_t version, json users, json facilities = json::array(),
          json deleted = json::array(), bool reset = false) {
  return {{"version", version},       {"more", false},     {"reset", reset}, {"users", users},
          {"facilities", facilities}, {"deleted", deleted}};
}

json user(const std::string& login, const std::string& status = "active") {
  return {{"login_id", login},
          {"display_name", "医師 " + login},
          {"profession", "doctor"},
          {"facility_oid", kClinic},
          {"status", status}};
}

json clinic(const std::string& status = "active") {
  return json::array(
      {{{"oid", kClinic}, {"name", "晴れ診療所"}, {"kind", "clinic"}, {"status", status}}});
}

TEST(DirectoryCache, UnknownUsersBeforeAndAfterTheFirstPull) {
  testing::TempDir dir;
  DirectoryCache cache(dir.path() + "/directory.json");
  EXPECT_FALSE(cache.pulled());
  EXPECT_EQ(cache.check("ghost", kClinic, UnknownUserPolicy::kAfterFirstPull).refusal, "");
  EXPECT_EQ(cache.check("ghost", kClinic, UnknownUserPolicy::kAlways).refusal,
            "the network directory has not been pulled from the portal yet");
  EXPECT_EQ(cache.check("ghost", kClinic, UnknownUserPolicy::kNever).refusal, "");

  cache.apply({page(3, json::array({user("dr-a")}), clinic())});
  EXPECT_TRUE(cache.pulled());
  EXPECT_EQ(cache.version(), 3);
  EXPECT_EQ(cache.check("ghost", kClinic, UnknownUserPolicy::kAfterFirstPull).refusal,
            "the user is not in the network directory");
  EXPECT_EQ(cache.check("ghost", kClinic, UnknownUserPolicy::kNever).refusal, "");
  auto v = cache.check("dr-a", kClinic, UnknownUserPolicy::kAfterFirstPull);
  EXPECT_EQ(v.refusal, "");
  ASSERT_TRUE(v.viewer);
  EXPECT_EQ(v.viewer->display_name, "医師 dr-a");
  EXPECT_EQ(v.viewer->facility_name, "晴れ診療所");
  // Even with "never", a known user of another facility or a disabled one is refused.
  EXPECT_NE(cache.check("dr-a", "1.2.392.200284.33.2000002", UnknownUserPolicy::kNever).refusal,
            "");
}

TEST(DirectoryCache, DisabledUsersAndFacilitiesAreRefused) {
  testing::TempDir dir;
  DirectoryCache cache(dir.path() + "/directory.json");
  cache.apply({page(1, json::array({user("dr-a"), user("dr-b", "locked")}), clinic())});
  EXPECT_EQ(cache.check("dr-b", kClinic, UnknownUserPolicy::kNever).refusal,
            "the user is locked in the network directory");
  cache.apply({page(2, json::array(), clinic("suspended"))});
  EXPECT_EQ(cache.check("dr-a", kClinic, UnknownUserPolicy::kNever).refusal,
            "the user's facility is suspended in the network directory");
}

TEST(DirectoryCache, SurvivesARestartAndFollowsDeletionsAndResets) {
  testing::TempDir dir;
  const std::string file = dir.path() + "/directory.json";
  {
    DirectoryCache cache(file);
    cache.apply({page(5, json::array({user("dr-a"), user("dr-b")}), clinic()),
                 page(6, json::array(), json::array(),
                      json::array({{{"entity", "user"}, {"key", "dr-b"}}}))});
  }
  DirectoryCache again(file);
  EXPECT_TRUE(again.pulled());
  EXPECT_EQ(again.version(), 6);
  EXPECT_EQ(again.users(), 1u);
  EXPECT_EQ(again.check("dr-b", kClinic, UnknownUserPolicy::kAfterFirstPull).refusal,
            "the user is not in the network directory");
  // The portal's log starts over: the copy is replaced, not merged.
  again.apply({page(1, json::array({user("dr-c")}), clinic(), json::array(), true)});
  EXPECT_EQ(again.version(), 1);
  EXPECT_EQ(again.users(), 1u);
  EXPECT_TRUE(again.check("dr-c", kClinic, UnknownUserPolicy::kAfterFirstPull).viewer);
  EXPECT_FALSE(again.check("dr-a", kClinic, UnknownUserPolicy::kAfterFirstPull).viewer);

  std::ofstream(file) << "{not json";
  DirectoryCache damaged(file);
  EXPECT_FALSE(damaged.pulled());
}

}  // namespace
}  // namespace hareyaka::gateway
