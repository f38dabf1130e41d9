#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "gateway/record/record_query.hpp"
#include "gateway/storage/storage_index.hpp"
#include "tests/gateway/ssmix2_test_support.hpp"
#include "tests/support/process.hpp"

namespace hareyaka::gateway {
namespace {

namespace fs = std::filesystem;
using hareyaka::testing::TempDir;
using testing::run_generator;

std::map<std::string, std::string> tree_bytes(const std::string& root) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file())
      out[fs::relative(e.path(), root).string()] = testing::read_bytes(e.path());
  }
  return out;
}

TEST(SyntheticGenerator, WritesValidJisStoragesDeterministically) {
  TempDir a, b;
  for (const auto& dir : {a.path(), b.path()}) {
    ASSERT_EQ(run_generator({"--out", dir + "/std", "--patients", "40", "--seed", "11"}), 0);
  }
  auto ta = tree_bytes(a.path() + "/std");
  EXPECT_EQ(ta, tree_bytes(b.path() + "/std"));
  ASSERT_GT(ta.size(), 200u);
  for (const auto& [path, bytes] : ta) {
    for (unsigned char c : bytes)
      ASSERT_LT(c, 0x80) << path;  // ISO-2022-JP is seven-bit
  }

  storage::IndexOptions o;
  o.standard_root = a.path() + "/std";
  storage::StorageIndex index(o);
  index.scan();
  auto s = index.stats();
  EXPECT_EQ(s.errors, 0u);
  EXPECT_EQ(s.warnings, 0u);
  EXPECT_EQ(s.patients, 40u);
  for (const char* type : {"ADT-00", "PPR-01", "ADT-12", "OMP-01", "OML-11"}) {
    EXPECT_GT(s.current_by_type[type], 0u) << type;
  }
  auto demo = record::demographics(index, "1000001");
  ASSERT_TRUE(demo);
  std::string kana = (*demo)["patient"]["name_kana"]["family"];
  EXPECT_FALSE(kana.empty());
  auto labs = record::category(index, "1000001", "lab_results", {});
  auto rx = record::category(index, "1000001", "prescriptions", {});
  ASSERT_TRUE(labs && rx);
  EXPECT_GT((*labs)["items"].size() + (*rx)["items"].size(), 0u);
}

TEST(SyntheticGenerator, SecondFacilitySharesPatientsWithVariationsAndATruthFile) {
  TempDir dir;
  std::string out;
  ASSERT_EQ(run_generator({"--out", dir.path() + "/a", "--second-out", dir.path() + "/b",
                           "--patients", "200", "--shared-fraction", "0.5", "--second-patients",
                           "20", "--truth", dir.path() + "/truth.csv", "--seed", "3"},
                          &out),
            0)
      << out;
  std::ifstream in(dir.path() + "/truth.csv");
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "person_id,facility,patient_id,variation");
  std::map<std::string, std::vector<std::string>> people;  // person -> "facility:pid"
  std::set<std::string> variations;
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    std::string person, facility, pid, variation;
    std::getline(ss, person, ',');
    std::getline(ss, facility, ',');
    std::getline(ss, pid, ',');
    std::getline(ss, variation, ',');
    people[person].push_back(facility + ":" + pid);
    variations.insert(variation);
  }
  std::size_t shared = 0;
  for (const auto& [person, ids] : people)
    shared += ids.size() == 2;
  EXPECT_GT(shared, 60u);
  EXPECT_LT(shared, 140u);
  for (const char* v : {"same", "kana_spelling", "moved", "married_surname", "only_b"}) {
    EXPECT_TRUE(variations.count(v)) << v;
  }

  // A shared person keeps the birth date and sex at B; the variation shows in the record.
  storage::IndexOptions oa, ob;
  oa.standard_root = dir.path() + "/a";
  ob.standard_root = dir.path() + "/b";
  storage::StorageIndex ia(oa), ib(ob);
  ia.scan();
  ib.scan();
  EXPECT_EQ(ib.stats().errors, 0u);
  for (const auto& [person, ids] : people) {
    if (ids.size() != 2)
      continue;
    auto pa = record::demographics(ia, ids[0].substr(2));
    auto pb = record::demographics(ib, ids[1].substr(2));
    ASSERT_TRUE(pa && pb) << person;
    EXPECT_EQ((*pa)["patient"]["birth_date"], (*pb)["patient"]["birth_date"]);
    EXPECT_EQ((*pa)["patient"]["sex"], (*pb)["patient"]["sex"]);
  }
}

TEST(SyntheticGenerator, HelpAndBadArguments) {
  std::string out;
  EXPECT_EQ(run_generator({"--help"}, &out), 0);
  EXPECT_NE(out.find("--truth FILE"), std::string::npos);
  EXPECT_EQ(run_generator({"--patients", "x", "--out", "/tmp/x"}, &out), 2);
  EXPECT_EQ(run_generator({}, &out), 2);
}

}  // namespace
}  // namespace hareyaka::gateway
