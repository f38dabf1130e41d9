#include "gateway/storage/storage_index.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/gateway/ssmix2_test_support.hpp"
#include "tests/support/process.hpp"

namespace hareyaka::gateway::storage {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using gateway::testing::copy_tree;
using gateway::testing::only_file_in;
using gateway::testing::read_bytes;
using gateway::testing::replace_in_jis;
using gateway::testing::sample_root;
using gateway::testing::write_bytes;
using hareyaka::testing::poll_until;
using hareyaka::testing::TempDir;

constexpr const char* kPatient = "9999013";

std::size_t count_type(const StorageIndex& index, ssmix2::DataType type) {
  std::size_t n = 0;
  for (const auto& e : index.current_files(kPatient))
    n += e.type() == type;
  return n;
}

TEST(StorageIndex, ScansTheSampleStorageAndReportsEveryBrokenFile) {
  TempDir dir;
  copy_tree(sample_root(), dir.path() + "/std");
  IndexOptions o;
  o.standard_root = dir.path() + "/std";
  std::vector<ScanProgress> progress;
  o.on_progress = [&](const ScanProgress& p) { progress.push_back(p); };
  std::vector<Problem> reported;
  o.on_problem = [&](const Problem& p) { reported.push_back(p); };
  StorageIndex index(o);
  index.scan();

  ASSERT_FALSE(progress.empty());
  EXPECT_TRUE(progress.back().finished);
  EXPECT_EQ(progress.back().done, 22u);
  EXPECT_EQ(progress.back().total, 22u);

  IndexStats s = index.stats();
  EXPECT_EQ(s.patients, 1u);  // 0000001 has no usable file
  EXPECT_EQ(s.current_files, 19u);
  EXPECT_EQ(s.errors, 3u);
  for (int t = 0; t < ssmix2::kDataTypeCount; ++t) {
    auto type = static_cast<ssmix2::DataType>(t);
    std::size_t expected = 0;
    for (const char* code : {"ADT-00", "ADT-22", "ADT-42", "ADT-52", "ADT-61", "PPR-01", "OMD",
                             "OMP-01", "OMP-11", "OMP-02", "OMP-12", "OML-01", "OML-11", "OMG-01",
                             "OMG-11", "OMG-02", "OMG-12", "OMG-03", "OMG-13"}) {
      expected += ssmix2::to_string(type) == code;
    }
    EXPECT_EQ(s.current_by_type[std::string(ssmix2::to_string(type))], expected)
        << ssmix2::to_string(type);
  }

  auto errors = index.problems(0, 100, false);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].path,
            "000/000/0000001/20000401/ADT-31/"
            "9999013_20110630_OMP-11_123456789012345_20110701113813225_01_1");
  EXPECT_NE(errors[0].reason.find("data type OMP-11 differs from its data type folder ADT-31"),
            std::string::npos);
  EXPECT_NE(errors[0].reason.find("not ISO-2022-JP"), std::string::npos);
  for (int i : {1, 2}) {
    EXPECT_NE(errors[i].reason.find("MSH is allowed only as the first segment"), std::string::npos);
    EXPECT_NE(errors[i].reason.find("date folder 20000401 differs"), std::string::npos);
  }
  // The warnings (PID-3 disagreeing with the folder) are listed but the files are used.
  EXPECT_EQ(index.problems(0, 100, true).size(), 3u + s.warnings);
  EXPECT_GT(s.warnings, 0u);
  EXPECT_EQ(reported.size(), 3u + s.warnings);
  EXPECT_EQ(count_type(index, ssmix2::DataType::kOmp11), 1u);  // the misplaced copy changes nothing
}

TEST(StorageIndex, RestartReadsOnlyChangedFilesFromTheCache) {
  TempDir dir;
  copy_tree(sample_root() + "/999", dir.path() + "/std/999");
  IndexOptions o;
  o.standard_root = dir.path() + "/std";
  o.cache_file = dir.path() + "/index.cache";
  {
    StorageIndex first(o);
    ScanProgress p = first.scan();
    EXPECT_EQ(p.done, 19u);
  }
  ASSERT_TRUE(fs::exists(o.cache_file));
  std::uint64_t parsed = 99;
  o.on_progress = [&](const ScanProgress& p) {
    if (p.finished)
      parsed = p.parsed;
  };
  {
    StorageIndex second(o);
    second.scan();
    EXPECT_EQ(parsed, 0u);
    EXPECT_EQ(second.stats().current_files, 19u);
    EXPECT_GT(second.stats().warnings, 0u);  // verdicts come back from the cache too
  }
  std::string lab = only_file_in(dir.path() + "/std/999/901/9999013/20111220/OML-11");
  write_bytes(lab, replace_in_jis(read_bytes(lab), "|7.2|", "|7.3|"));
  {
    StorageIndex third(o);
    third.scan();
    EXPECT_EQ(parsed, 1u);
  }
  // A cache written for another storage is ignored.
  o.standard_root = dir.path() + "/std/";
  StorageIndex other(o);
  other.scan();
  EXPECT_EQ(parsed, 19u);
}

// Updating (new _1, old renamed _2) and deleting (_0) while the index follows.
void follow_updates_and_deletes(bool use_inotify) {
  TempDir dir;
  std::string root = dir.path() + "/std";
  copy_tree(sample_root() + "/999", root + "/999");
  IndexOptions o;
  o.standard_root = root;
  o.use_inotify = use_inotify;
  // With inotify the interval is long, so only events can explain a prompt update.
  o.reconcile_interval = use_inotify ? std::chrono::milliseconds(1h) : 200ms;
  StorageIndex index(o);
  index.scan();
  index.start_following();
  ASSERT_TRUE(poll_until([&] { return index.follow_status().reconciliations > 0; }, 10s));
  EXPECT_EQ(index.follow_status().inotify, use_inotify);

  // Update: the EMR renames the current file to _2 and writes the new version as _1.
  std::string dir_omp = root + "/999/901/9999013/20110701/OMP-01";
  std::string old_path = only_file_in(dir_omp);
  std::string old_name = fs::path(old_path).filename().string();
  std::string bytes = read_bytes(old_path);
  fs::rename(old_path, dir_omp + "/" + old_name.substr(0, old_name.size() - 1) + "2");
  std::string new_name = "9999013_20110701_OMP-01_000000011000185_20110702090000000_01_1";
  write_bytes(dir_omp + "/" + new_name, replace_in_jis(bytes, "|15|TAB", "|21|TAB"));
  ASSERT_TRUE(poll_until(
      [&] {
        auto files = index.current_files(kPatient);
        for (const auto& e : files) {
          if (e.type() == ssmix2::DataType::kOmp01)
            return e.timestamp == 20110702090000000ull;
        }
        return false;
      },
      10s));
  EXPECT_EQ(count_type(index, ssmix2::DataType::kOmp01), 1u);

  // Delete: the current file becomes _2 and a _0 file records the deletion.
  std::string cur = dir_omp + "/" + new_name;
  fs::rename(cur, cur.substr(0, cur.size() - 1) + "2");
  write_bytes(dir_omp + "/9999013_20110701_OMP-01_000000011000185_20110703090000000_01_0", bytes);
  ASSERT_TRUE(poll_until([&] { return count_type(index, ssmix2::DataType::kOmp01) == 0; }, 10s));

  // A new patient (new folders) appears, and a junk file is reported.
  std::string lab = only_file_in(root + "/999/901/9999013/20111220/OML-11");
  std::string lab_bytes = read_bytes(lab);
  write_bytes(root +
                  "/123/456/1234567/20111220/OML-11/"
                  "1234567_20111220_OML-11_000000011000354_20111220103059000_01_1",
              lab_bytes);
  write_bytes(root + "/123/456/1234567/20111220/OML-11/garbage.txt", "not hl7");
  ASSERT_TRUE(poll_until([&] { return index.has_patient("1234567"); }, 10s));
  ASSERT_TRUE(poll_until([&] { return index.stats().errors == 1; }, 10s));
  EXPECT_NE(index.problems(0, 10, false).at(0).reason.find("file name does not follow"),
            std::string::npos);

  // Removing the file removes the patient.
  fs::remove_all(root + "/123");
  ASSERT_TRUE(poll_until([&] { return !index.has_patient("1234567"); }, 10s));
  ASSERT_TRUE(poll_until([&] { return index.stats().errors == 0; }, 10s));
  index.stop_following();
  EXPECT_FALSE(index.follow_status().following);
}

TEST(StorageIndex, FollowsUpdatesAndDeletesThroughInotify) {
  follow_updates_and_deletes(true);
}

TEST(StorageIndex, FollowsUpdatesAndDeletesByReconciliationAlone) {
  follow_updates_and_deletes(false);
}

TEST(StorageIndex, ReadsAreSafeWhileTheIndexChanges) {
  TempDir dir;
  std::string root = dir.path() + "/std";
  copy_tree(sample_root() + "/999", root + "/999");
  IndexOptions o;
  o.standard_root = root;
  StorageIndex index(o);
  index.scan();
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    while (!stop) {
      auto files = index.current_files(kPatient);
      EXPECT_GE(files.size(), 18u);
      index.stats();
    }
  });
  for (int i = 0; i < 20; ++i)
    index.reconcile();
  stop = true;
  reader.join();
}

TEST(StorageIndex, PagesPatientIds) {
  TempDir dir;
  std::string root = dir.path() + "/std";
  std::string bytes = read_bytes(only_file_in(sample_root() + "/999/901/9999013/-/ADT-00"));
  for (std::string id : {"1000001", "1000002", "1000003"}) {
    write_bytes(root + "/" + id.substr(0, 3) + "/" + id.substr(3, 3) + "/" + id + "/-/ADT-00/" +
                    id + "_-_ADT-00_999999999999999_20111220224447339_-_1",
                bytes);
  }
  IndexOptions o;
  o.standard_root = root;
  StorageIndex index(o);
  index.scan();
  EXPECT_EQ(index.patient_ids("", 2), (std::vector<std::string>{"1000001", "1000002"}));
  EXPECT_EQ(index.patient_ids("1000002", 2), (std::vector<std::string>{"1000003"}));
}

}  // namespace
}  // namespace hareyaka::gateway::storage
