// The record queries' cache of parsed files: the same answers as without it, hits for the
// files a second request reads again, a changed file re-read (the index's new mtime and size
// miss the old entry) and a budget that holds.
#include "gateway/record/parsed_files.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "gateway/record/record_query.hpp"
#include "tests/gateway/ssmix2_test_support.hpp"
#include "tests/support/process.hpp"

namespace hareyaka::gateway::record {
namespace {

using gateway::testing::copy_tree;
using gateway::testing::read_bytes;
using gateway::testing::sample_root;
using gateway::testing::write_bytes;

constexpr const char* kPatient = "9999013";
constexpr const char* kLabFile =
    "999/901/9999013/20111220/OML-11/"
    "9999013_20111220_OML-11_000000011000354_20111220103059000_01_1";

TEST(ParsedFiles, SameAnswersAsWithoutAndHitsOnTheSecondRequest) {
  storage::IndexOptions o;
  o.standard_root = sample_root();
  storage::StorageIndex index(o);
  index.scan();
  ParsedFiles cache;
  for (const char* name : {"lab_results", "prescriptions", "encounters", "diagnoses"}) {
    const auto plain = category(index, kPatient, name, {});
    ASSERT_TRUE(plain) << name;
    EXPECT_EQ(category(index, kPatient, name, {}, &cache), plain) << name;
    const auto misses = cache.stats().misses;
    EXPECT_EQ(category(index, kPatient, name, {}, &cache), plain) << name;
    EXPECT_EQ(cache.stats().misses, misses) << name << ": the second request reads no file";
  }
  EXPECT_EQ(demographics(index, kPatient, &cache), demographics(index, kPatient));
  EXPECT_GT(cache.stats().hits, 0u);
  EXPECT_GT(cache.stats().entries, 0u);
}

TEST(ParsedFiles, AChangedFileIsReadAgain) {
  hareyaka::testing::TempDir dir;
  const std::string root = dir.path() + "/standard";
  copy_tree(sample_root(), root);
  storage::IndexOptions o;
  o.standard_root = root;
  storage::StorageIndex index(o);
  index.scan();
  ParsedFiles cache;
  const auto before = category(index, kPatient, "lab_results", {}, &cache);
  ASSERT_TRUE(before);
  ASSERT_EQ((*before)["items"][0]["items"][1]["value"], "7.2");

  // The same size, another value: only the modification time tells them apart.
  const std::string path = root + "/" + kLabFile;
  std::string bytes = read_bytes(path);
  const auto at = bytes.find("|7.2|");
  ASSERT_NE(at, std::string::npos);
  bytes.replace(at, 5, "|8.4|");
  const auto old_mtime = std::filesystem::last_write_time(path);
  write_bytes(path, bytes);
  std::filesystem::last_write_time(path, old_mtime + std::chrono::seconds(1));
  index.refresh(storage::StorageKind::kStandard, kLabFile);
  const auto after = category(index, kPatient, "lab_results", {}, &cache);
  ASSERT_TRUE(after);
  EXPECT_EQ((*after)["items"][0]["items"][1]["value"], "8.4");
}

TEST(ParsedFiles, KeepsWithinItsBudgetDroppingTheLeastRecentlyUsed) {
  ParsedFiles cache(1000);
  auto parsed = std::make_shared<const ssmix2::ReadResult>();
  cache.put("a", 1, 100, parsed);  // weight 4*100 + 1 + 64
  cache.put("b", 1, 100, parsed);
  ASSERT_TRUE(cache.find("a", 1, 100));  // a is now the most recent
  cache.put("c", 1, 100, parsed);        // over budget: b goes
  EXPECT_TRUE(cache.find("a", 1, 100));
  EXPECT_FALSE(cache.find("b", 1, 100));
  EXPECT_TRUE(cache.find("c", 1, 100));
  EXPECT_FALSE(cache.find("a", 2, 100)) << "another mtime is another file";
  EXPECT_LE(cache.stats().bytes, 1000u);
  cache.put("huge", 1, 10'000, parsed);  // larger than the whole budget: not kept
  EXPECT_FALSE(cache.find("huge", 1, 10'000));
  EXPECT_TRUE(cache.find("a", 1, 100));
}

}  // namespace
}  // namespace hareyaka::gateway::record
