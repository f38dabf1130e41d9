// The preservation node's configuration: the shipped example loads, and bad values stop the
// start with a message naming the key.
#include "preserve/config.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "common/config.hpp"
#include "tests/support/dev_pki.hpp"
#include "tests/support/process.hpp"

namespace hareyaka::preserve {
namespace {

using nlohmann::json;

std::string error_of(const json& j) {
  testing::TempDir dir;
  std::ofstream(dir.path() + "/p.json") << j.dump();
  try {
    load_preserve_config(dir.path() + "/p.json");
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  return "";
}

json base() {
  return {{"listener",
           {{"port", 0},
            {"cert_file", "/c.pem"},
            {"key_file", "/c.key"},
            {"client_auth", "require"},
            {"client_ca_file", "/ca.pem"}}},
          {"store_dir", "/s"},
          {"facilities", {{{"oid", "1.2.3"}, {"writers", {std::string(64, 'a')}}}}}};
}

TEST(PreserveConfig, TheShippedExampleLoads) {
  const auto c =
      load_preserve_config(testing::source_dir() + "/deploy/config/preserve.example.json");
  EXPECT_EQ(c.store_dir, "/var/lib/hareyaka-preserve");
  EXPECT_EQ(c.retention.keep, std::chrono::hours(24 * 90));
  EXPECT_EQ(c.retention.keep_at_least, 3u);
  ASSERT_EQ(c.facilities.size(), 1u);
  EXPECT_EQ(c.facilities[0].writers.size(), 1u);
}

TEST(PreserveConfig, RefusesBadValuesNamingTheKey) {
  EXPECT_EQ(error_of(base()), "");
  json j = base();
  j["listener"]["client_auth"] = "request";
  EXPECT_NE(error_of(j).find("listener.client_auth"), std::string::npos) << error_of(j);
  j = base();
  j["facilities"][0]["oid"] = "hospital";
  EXPECT_NE(error_of(j).find("oid"), std::string::npos) << error_of(j);
  j = base();
  j["facilities"][0]["writers"] = {"AB:CD"};
  EXPECT_NE(error_of(j).find("writers"), std::string::npos) << error_of(j);
  j = base();
  j["retention"] = {{"keep_days", 0}};
  EXPECT_NE(error_of(j).find("keep_days"), std::string::npos) << error_of(j);
  j = base();
  j["extra"] = 1;
  EXPECT_NE(error_of(j).find("extra"), std::string::npos) << error_of(j);
}

}  // namespace
}  // namespace hareyaka::preserve
