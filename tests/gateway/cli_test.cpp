#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "gateway/cli/commands.hpp"
#include "tests/gateway/ssmix2_test_support.hpp"

namespace hareyaka::gateway::cli {
namespace {

using gateway::testing::sample_root;

int run(int (*fn)(int, char**), std::vector<std::string> args, std::string* out) {
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  ::testing::internal::CaptureStdout();
  int rc = fn(static_cast<int>(argv.size()), argv.data());
  *out = ::testing::internal::GetCapturedStdout();
  return rc;
}

TEST(GatewayCli, CheckListsCountsAndEveryUnusableFile) {
  std::string out;
  EXPECT_EQ(run(run_check, {"check", "--storage", sample_root(), "--quiet"}, &out), 1);
  EXPECT_NE(out.find("  OML-11  1\n"), std::string::npos) << out;
  EXPECT_NE(out.find("  ADT-12  0\n"), std::string::npos) << out;
  EXPECT_NE(out.find("unusable files: 3\n"), std::string::npos) << out;
  EXPECT_NE(out.find("UNUSABLE standard/000/000/0000001/20000401/ADT-31/"), std::string::npos);
  EXPECT_NE(out.find("MSH is allowed only as the first segment"), std::string::npos);

  // The valid patient alone: nothing broken (the PID-3 disagreements are warnings).
  EXPECT_EQ(run(run_check, {"check", "--storage", sample_root() + "/999/..", "--quiet"}, &out), 1);
  std::string only_valid = ::testing::TempDir() + "/cli_valid";
  gateway::testing::copy_tree(sample_root() + "/999", only_valid + "/999");
  EXPECT_EQ(run(run_check, {"check", "--storage", only_valid, "--quiet"}, &out), 0);
  EXPECT_NE(out.find("unusable files: 0\n"), std::string::npos) << out;
  EXPECT_NE(out.find("WARNING "), std::string::npos);
  EXPECT_EQ(run(run_check, {"check", "--storage", only_valid, "--strict-pid", "--quiet"}, &out), 1);
}

TEST(GatewayCli, ShowPrintsTheRecordInTheApiShape) {
  std::string out;
  ASSERT_EQ(run(run_show, {"show", "--storage", sample_root(), "--patient", "9999013"}, &out), 0);
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["patient_id"], "9999013");
  EXPECT_EQ(j["demographics"]["patient"]["name_kana"]["given"], "タロウ");
  EXPECT_EQ(j["diagnoses"]["items"][0]["icd10"]["code"], "K297");
  EXPECT_EQ(j["prescriptions"]["items"].size(), 3u);
  EXPECT_EQ(run(run_show, {"show", "--storage", sample_root(), "--patient", "0000001"}, &out), 1);
}

TEST(GatewayCli, UsageErrors) {
  std::string out;
  EXPECT_EQ(run(run_check, {"check"}, &out), 2);
  EXPECT_EQ(run(run_check, {"check", "--storage"}, &out), 2);
  EXPECT_EQ(run(run_check, {"check", "--storage", "x", "--bogus"}, &out), 2);
  EXPECT_EQ(run(run_show, {"show", "--storage", "x"}, &out), 2);
  EXPECT_EQ(run(run_show, {"show", "--storage", "x", "--patient", "1", "--limit", "0"}, &out), 2);
}

}  // namespace
}  // namespace hareyaka::gateway::cli
