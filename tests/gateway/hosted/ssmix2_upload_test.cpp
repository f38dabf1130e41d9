// The hosted gateway's SS-MIX2 uploads (issue #17): a zip is checked whole before anything
// is written; a bad file rejects the upload with a per-file report and leaves nothing behind;
// names that would leave the storage are refused; a stored file is never rewritten; the
// quota holds; a crash between the journal and the links is finished at the next start and a
// crash before the journal leaves nothing, nor does a temporary a kill left.
#include "gateway/hosted/ssmix2_upload.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/durable_file.hpp"
#include "tests/gateway/hosted/zip_writer.hpp"
#include "tests/gateway/ssmix2_test_support.hpp"
#include "tests/support/process.hpp"

namespace hareyaka::gateway::hosted {
namespace {

using hareyaka::testing::files_under;
namespace fs = std::filesystem;
using hareyaka::testing::make_zip;
using hareyaka::testing::ZipEntries;

// Two generated patients' files (hareyaka-ssmix2-gen), under a folder a conversion tool made.
// (The NHO sample's PID-3 differs from its folders, which an upload refuses.)
ZipEntries sample_entries() {
  static hareyaka::testing::TempDir generated;
  static const ZipEntries entries = [] {
    const std::string out = generated.path() + "/ssmix2";
    EXPECT_EQ(gateway::testing::run_generator({"--out", out, "--patients", "2"}), 0);
    return hareyaka::testing::entries_of_tree(out, "export/");
  }();
  return entries;
}

const UploadFile* find_file(const UploadReport& r, const std::string& name) {
  for (const auto& f : r.files) {
    if (f.name == name)
      return &f;
  }
  return nullptr;
}

struct Fixture : ::testing::Test {
  hareyaka::testing::TempDir tmp;
  std::string dir = tmp.path() + "/clinic";
  Ssmix2Store store{dir, 64u << 20, UploadLimits{}};
  void SetUp() override { store.recover(); }
};

TEST_F(Fixture, StoresEveryFileOfAGoodUploadAndNoneTwice) {
  const auto entries = sample_entries();
  ASSERT_GT(entries.size(), 5u);
  std::vector<std::string> placed;
  auto r = store.upload(make_zip(entries), placed);
  ASSERT_TRUE(r.accepted()) << r.to_json().dump(1);
  EXPECT_EQ(r.stored, entries.size());
  EXPECT_EQ(placed.size(), entries.size());
  EXPECT_EQ(files_under(store.standard_root()), entries.size());
  // Stored under its standard-storage path, whatever folder the zip used.
  const auto& first = entries.front();
  const std::string rel = first.first.substr(std::string("export/").size());
  EXPECT_EQ(read_whole_file(store.standard_root() + "/" + rel), first.second);
  EXPECT_GT(store.used_bytes(), 0u);
  // The same upload again: every file unchanged, nothing placed.
  placed.clear();
  store.save_report(r);
  auto again = store.upload(make_zip(entries), placed);
  store.save_report(again);
  EXPECT_TRUE(again.accepted());
  EXPECT_EQ(again.unchanged, entries.size());
  EXPECT_EQ(again.stored, 0u);
  EXPECT_TRUE(placed.empty());
  // Both reports are kept, newest first.
  auto reports = store.reports(10);
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[0]["upload_id"], again.upload_id);
}

TEST_F(Fixture, OneBadFileRejectsTheWholeUploadAndStoresNothing) {
  auto entries = sample_entries();
  // A damaged HL7 message under a valid name.
  const std::string broken_name = entries[1].first;
  entries[1].second = "MSH|this is not HL7\r";
  std::vector<std::string> placed;
  auto r = store.upload(make_zip(entries), placed);
  EXPECT_FALSE(r.accepted());
  EXPECT_EQ(r.rejected, 1u);
  const auto* f = find_file(r, broken_name);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->status, "rejected");
  EXPECT_FALSE(f->reason.empty());
  const auto* ok = find_file(r, entries[0].first);
  ASSERT_NE(ok, nullptr);
  EXPECT_EQ(ok->status, "valid");  // checked, not stored
  EXPECT_EQ(files_under(store.standard_root()), 0u);
  EXPECT_EQ(files_under(dir + "/uploads"), 0u);  // no staging (the report is the caller's)
  EXPECT_EQ(store.used_bytes(), 0u);
}

TEST_F(Fixture, AFileOfAnotherPatientThanItsFolderIsRefused) {
  // The NHO sample's messages name another patient in PID-3 than their folder: a hospital
  // gateway only warns, an upload is refused (a misfiled record would be shown as another
  // patient's).
  auto nho = hareyaka::testing::entries_of_tree(gateway::testing::sample_root() + "/999", "999/");
  std::vector<std::string> placed;
  auto r = store.upload(make_zip(nho), placed);
  EXPECT_FALSE(r.accepted());
  EXPECT_GT(r.rejected, 0u);
  bool named = false;
  for (const auto& f : r.files)
    named = named || f.reason.find("patient id differs") != std::string::npos;
  EXPECT_TRUE(named);
  EXPECT_EQ(files_under(store.standard_root()), 0u);
}

TEST_F(Fixture, NamesThatWouldLeaveTheStorageAreRefused) {
  const std::string hl7 = sample_entries().front().second;
  for (const std::string& name :
       {std::string("../../999/901/9999013/20110701/OMP-01/x"), std::string("/etc/passwd"),
        std::string("a/./b/c/d/e/f"), std::string("999\\901\\x"), std::string("short/path")}) {
    std::vector<std::string> placed;
    auto r = store.upload(make_zip({{name, hl7}}), placed);
    EXPECT_FALSE(r.accepted()) << name;
    ASSERT_EQ(r.files.size(), 1u) << name;
    EXPECT_EQ(r.files[0].status, "rejected") << name;
  }
  EXPECT_EQ(files_under(tmp.path()), files_under(dir + "/uploads"));  // reports, nothing else
}

TEST_F(Fixture, AStoredFileIsNeverRewritten) {
  auto entries = sample_entries();
  std::vector<std::string> placed;
  ASSERT_TRUE(store.upload(make_zip({entries[0]}), placed).accepted());
  const std::string rel = entries[0].first.substr(std::string("export/").size());
  const std::string before = *read_whole_file(store.standard_root() + "/" + rel);
  auto changed = entries[0];
  changed.second = entries[2].second;  // other bytes under the same name
  auto r = store.upload(make_zip({changed}), placed);
  EXPECT_FALSE(r.accepted());
  EXPECT_EQ(r.rejected, 1u);
  EXPECT_EQ(*read_whole_file(store.standard_root() + "/" + rel), before);
}

TEST_F(Fixture, NotAZipAndHiddenFilesAndTwiceTheSamePath) {
  std::vector<std::string> placed;
  auto r = store.upload("PK\x03\x04 not really", placed);
  EXPECT_FALSE(r.accepted());
  EXPECT_EQ(r.error_status, 422);
  EXPECT_NE(r.error.find("zip"), std::string::npos);
  auto e = sample_entries();
  ZipEntries twice{{"a/" + e[0].first, e[0].second},
                   {"b/" + e[0].first, e[0].second},
                   {"export/.DS_Store", "x"}};
  r = store.upload(make_zip(twice), placed);
  EXPECT_EQ(r.rejected, 1u);
  EXPECT_EQ(r.ignored, 1u);
  EXPECT_EQ(files_under(store.standard_root()), 0u);
}

TEST(Ssmix2StoreQuota, AnUploadOverTheQuotaStoresNothing) {
  hareyaka::testing::TempDir tmp;
  Ssmix2Store small(tmp.path() + "/t", 1000, UploadLimits{});
  small.recover();
  std::vector<std::string> placed;
  auto r = small.upload(make_zip(sample_entries()), placed);
  EXPECT_FALSE(r.accepted());
  EXPECT_EQ(r.error_status, 413);
  EXPECT_NE(r.error.find("quota"), std::string::npos);
  EXPECT_EQ(files_under(small.standard_root()), 0u);
  Ssmix2Store few(tmp.path() + "/u", 64u << 20, UploadLimits{.max_files = 2});
  few.recover();
  r = few.upload(make_zip(sample_entries()), placed);
  EXPECT_EQ(r.error_status, 413);
}

TEST(Ssmix2StoreRecovery, AJournalledCommitIsFinishedAndAnUnjournalledStageDropped) {
  hareyaka::testing::TempDir tmp;
  const std::string dir = tmp.path() + "/t";
  const auto entries = sample_entries();
  const std::string rel0 = entries[0].first.substr(7), rel1 = entries[1].first.substr(7);
  {
    Ssmix2Store s(dir, 64u << 20, UploadLimits{});
    s.recover();
  }
  // What a kill -9 leaves: one upload past its journal, the first file already linked; one
  // staged but never journalled.
  fs::create_directories(dir + "/uploads/u1");
  write_file_durably(dir + "/uploads/u1/1", entries[1].second);
  fs::create_directories(fs::path(dir + "/ssmix2/" + rel0).parent_path());
  write_file_durably(dir + "/ssmix2/" + rel0, entries[0].second);
  write_file_durably(dir + "/uploads/u1.commit", nlohmann::json{{"files", {rel0, rel1}}}.dump());
  fs::create_directories(dir + "/uploads/u2");
  write_file_durably(dir + "/uploads/u2/0", entries[2].second);
  // And a third killed while its journal was being written (write_file_durably's temporary).
  write_file_durably(dir + "/uploads/.tmp-4242-7", "{\"files\":[");
  Ssmix2Store s(dir, 64u << 20, UploadLimits{});
  const auto placed = s.recover();
  EXPECT_EQ(placed, std::vector<std::string>{rel1});
  EXPECT_EQ(read_whole_file(dir + "/ssmix2/" + rel1), entries[1].second);
  EXPECT_FALSE(fs::exists(dir + "/uploads/u1.commit"));
  EXPECT_FALSE(fs::exists(dir + "/uploads/u1"));
  EXPECT_FALSE(fs::exists(dir + "/uploads/u2"));
  EXPECT_FALSE(fs::exists(dir + "/uploads/.tmp-4242-7"));
  EXPECT_EQ(files_under(dir + "/ssmix2"), 2u);
}

// A kill inside write_file_once (a FHIR bundle, a pharmacy's notebook) or while a report was
// written leaves a temporary beside the files received: never acknowledged, so it goes at the
// next start and the quota does not count it.
TEST(Ssmix2StoreRecovery, TemporariesOfFilesReceivedAndOfReportsAreRemoved) {
  hareyaka::testing::TempDir tmp;
  const std::string dir = tmp.path() + "/t";
  {
    Ssmix2Store s(dir, 64u << 20, UploadLimits{});
    s.recover();
  }
  fs::create_directories(dir + "/received/fhir/1000001");
  write_file_durably(dir + "/received/fhir/1000001/20261120_ab.json", "{}");
  write_file_durably(dir + "/received/fhir/1000001/.tmp-4242-1", std::string(1000, 'x'));
  fs::create_directories(dir + "/received/jahis/P1");
  write_file_durably(dir + "/received/jahis/P1/.tmp-4242-2", "JAHISTC08");
  write_file_durably(dir + "/uploads/reports/.tmp-4242-3", "{\"upl");
  Ssmix2Store s(dir, 64u << 20, UploadLimits{});
  s.recover();
  EXPECT_FALSE(fs::exists(dir + "/received/fhir/1000001/.tmp-4242-1"));
  EXPECT_FALSE(fs::exists(dir + "/received/jahis/P1/.tmp-4242-2"));
  EXPECT_FALSE(fs::exists(dir + "/uploads/reports/.tmp-4242-3"));
  EXPECT_TRUE(fs::exists(dir + "/received/fhir/1000001/20261120_ab.json"));
  EXPECT_EQ(s.used_bytes(), 2u);
}

}  // namespace
}  // namespace hareyaka::gateway::hosted
