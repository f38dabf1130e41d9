// A hosted tenant's files besides its SS-MIX2 storage (issue #17): a pharmacy's お薬手帳 files
// count against the same quota as its storage (also after a restart); the parsed dispensings
// are kept per patient and renewed when a file arrives or is withdrawn; a withdrawn file is
// kept, renamed, and no longer read. A deleted tenant still configured is refused at start,
// and an interrupted deletion's leftovers are removed.
#include <gtest/gtest.h>

#include <filesystem>

#include "common/durable_file.hpp"
#include "common/error.hpp"
#include "gateway/hosted/dispensing_store.hpp"
#include "gateway/hosted/ssmix2_upload.hpp"
#include "gateway/hosted/tenant_delete.hpp"
#include "tests/support/process.hpp"

namespace hareyaka::gateway::hosted {
namespace {

namespace fs = std::filesystem;

std::string notebook() {
  return hareyaka::testing::read_file(std::string(HAREYAKA_TEST_DATA_DIR) + "/jahis/simple.csv");
}

TEST(TenantFiles, NotebookFilesCountAgainstTheQuotaAcrossARestart) {
  hareyaka::testing::TempDir tmp;
  const std::string dir = tmp.path() + "/pharmacy";
  const std::string csv = notebook();
  ASSERT_FALSE(csv.empty());
  Ssmix2Store store(dir, csv.size() * 2 + 10, UploadLimits{});
  store.recover();
  DispensingStore notebooks(dir);
  auto put = [&](const std::string& patient, const std::string& bytes) {
    return store.charge(bytes.size(), [&] { return notebooks.put(patient, "2026-12-01", bytes); });
  };
  EXPECT_TRUE(put("P1", csv));
  EXPECT_FALSE(put("P1", csv));  // the same bytes: nothing new, nothing counted
  EXPECT_EQ(store.used_bytes(), csv.size());
  EXPECT_TRUE(put("P2", csv));
  EXPECT_EQ(store.used_bytes(), 2 * csv.size());
  try {
    put("P3", csv);
    ADD_FAILURE() << "over the quota";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kPayloadTooLarge);
  }
  EXPECT_TRUE(notebooks.files("P3").empty());  // nothing of it written
  // The restarted process counts what was received as well as its storage.
  Ssmix2Store again(dir, csv.size() * 2 + 10, UploadLimits{});
  again.recover();
  EXPECT_EQ(again.used_bytes(), 2 * csv.size());
}

TEST(TenantFiles, AWithdrawnNotebookIsKeptAndNoLongerRead) {
  hareyaka::testing::TempDir tmp;
  DispensingStore notebooks(tmp.path());
  const std::string csv = notebook();
  ASSERT_TRUE(notebooks.put("P1", "2026-12-01", csv));
  const auto before = notebooks.orders("P1");  // parsed, then kept for the next call
  ASSERT_FALSE(before.empty());
  EXPECT_EQ(notebooks.orders("P1"), before);
  const auto files = notebooks.files("P1");
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].date, "2026-12-01");
  EXPECT_EQ(files[0].bytes, csv.size());
  EXPECT_FALSE(notebooks.withdraw("P1", "../P2/" + files[0].name));
  EXPECT_FALSE(notebooks.withdraw("P2", files[0].name));
  ASSERT_TRUE(notebooks.withdraw("P1", files[0].name));
  EXPECT_TRUE(notebooks.orders("P1").empty());  // the kept parse was renewed
  EXPECT_TRUE(notebooks.files("P1").empty());
  EXPECT_TRUE(fs::exists(tmp.path() + "/received/jahis/P1/" + files[0].name + ".withdrawn"));
  EXPECT_FALSE(notebooks.withdraw("P1", files[0].name));  // once
  // A file arriving again after a parse was kept is read.
  ASSERT_TRUE(notebooks.put("P1", "2026-12-02", csv + "\n"));
  EXPECT_EQ(notebooks.orders("P1").size(), before.size());
}

TEST(TenantFiles, ADeletedTenantIsRefusedAtStartAndLeftoversRemoved) {
  hareyaka::testing::TempDir tmp;
  HostedConfig config;
  config.tenants_dir = tmp.path() + "/tenants";
  config.state_dir = tmp.path() + "/state";
  config.tenants.push_back({.id = "care", .facility_oid = "1.2.392.200284.33.2100003"});
  fs::create_directories(config.tenants_dir + "/care/ssmix2");
  write_file_durably(config.tenants_dir + "/care/ssmix2/x", "y");
  check_deleted_tenants(config);  // nothing deleted yet
  const auto report = delete_tenant(config, "care", {.local_only = true});
  EXPECT_EQ(report["portal"], "skipped");
  EXPECT_TRUE(report["data_removed"].get<bool>());
  EXPECT_FALSE(fs::exists(config.tenants_dir + "/care"));
  EXPECT_THROW(check_deleted_tenants(config), config::ConfigError);
  EXPECT_THROW(delete_tenant(config, "nobody", {.local_only = true}), Error);
  // An interrupted deletion: renamed, tombstone written, not yet removed.
  fs::create_directories(config.tenants_dir + "/.deleted-old-1/ssmix2");
  config.tenants.clear();
  check_deleted_tenants(config);
  EXPECT_FALSE(fs::exists(config.tenants_dir + "/.deleted-old-1"));
  // One process per configuration.
  StateLock lock(config.state_dir);
  EXPECT_THROW(StateLock second(config.state_dir), Error);
}

}  // namespace
}  // namespace hareyaka::gateway::hosted
