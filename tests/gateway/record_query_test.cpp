// The data API's answers for the NHO sample patient: the values a clinician would read.
#include "gateway/record/record_query.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/gateway/ssmix2_test_support.hpp"
#include "tests/support/process.hpp"

namespace hareyaka::gateway::record {
namespace {

using gateway::testing::sample_root;
using hareyaka::testing::TempDir;

constexpr const char* kPatient = "9999013";

storage::StorageIndex& sample_index() {
  static storage::StorageIndex* index = [] {
    storage::IndexOptions o;
    o.standard_root = sample_root();  // read-only use of the reference data
    auto* i = new storage::StorageIndex(o);
    i->scan();
    return i;
  }();
  return *index;
}

nlohmann::json get(std::string_view name, RecordQuery q = {}) {
  auto r = category(sample_index(), kPatient, name, q);
  EXPECT_TRUE(r) << name;
  return r.value_or(nlohmann::json::object());
}

TEST(RecordQuery, DemographicsInKanjiAndKana) {
  auto d = demographics(sample_index(), kPatient);
  ASSERT_TRUE(d);
  const auto& p = (*d)["patient"];
  EXPECT_EQ(p["id"], "9999013");
  EXPECT_EQ(p["name_kanji"]["family"], "患者");
  EXPECT_EQ(p["name_kanji"]["given"], "太郎");
  EXPECT_EQ(p["name_kana"]["family"], "カンジャ");
  EXPECT_EQ(p["name_kana"]["given"], "タロウ");
  EXPECT_EQ(p["sex"], "M");
  EXPECT_EQ(p["birth_date"], "1948-04-05");
  EXPECT_EQ(p["addresses"][0]["text"], "静岡県静岡市登呂１−３−５");
  EXPECT_FALSE(demographics(sample_index(), "0000001"));  // only unusable files
  EXPECT_FALSE(demographics(sample_index(), "nobody"));
}

TEST(RecordQuery, LabResultValueUnitAndRange) {
  auto j = get("lab_results");
  ASSERT_EQ(j["items"].size(), 1u);
  const auto& items = j["items"][0]["items"];
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[1]["code"]["code"], "3A010000002327101");
  EXPECT_EQ(items[1]["code"]["display"], "総蛋白");
  EXPECT_EQ(items[1]["value"], "7.2");
  EXPECT_EQ(items[1]["unit"]["code"], "g/dl");
  EXPECT_EQ(items[1]["range"], "6.70-8.3");
  EXPECT_EQ(j["items"][0]["specimen"]["display"], "血清");
}

TEST(RecordQuery, PrescriptionDrugCodeAndDose) {
  auto j = get("prescriptions");
  ASSERT_EQ(j["items"].size(), 3u);
  EXPECT_EQ(j["items"][0]["drug"]["code"], "108665201");
  EXPECT_EQ(j["items"][0]["drug"]["system"], "HOT9");
  EXPECT_EQ(j["items"][0]["dose"]["value"], "1");
  EXPECT_EQ(j["items"][0]["dose"]["unit"]["display"], "錠");
  EXPECT_EQ(j["items"][0]["days"], "5");
  EXPECT_EQ(j["items"][0]["usage"]["display"], "内服・経口・１日３回朝昼夕食後");
  EXPECT_EQ(j["items"][0]["source"]["data_type"], "OMP-01");
}

TEST(RecordQuery, DiagnosisIcd10) {
  auto j = get("diagnoses");
  ASSERT_EQ(j["items"].size(), 1u);
  EXPECT_EQ(j["items"][0]["icd10"]["code"], "K297");
  EXPECT_EQ(j["items"][0]["icd10"]["system"], "I10");
  EXPECT_EQ(j["items"][0]["name"]["display"], "胃炎");
  EXPECT_EQ(j["items"][0]["main"], true);
  RecordQuery before;
  before.to = 20110830;
  EXPECT_EQ(get("diagnoses", before)["items"].size(), 0u);
  RecordQuery after;
  after.from = 20110831;
  EXPECT_EQ(get("diagnoses", after)["items"].size(), 1u);
}

TEST(RecordQuery, EveryCategoryOfTheSampleHasItsContent) {
  std::map<std::string, std::size_t> expected{
      {"encounters", 3},      {"allergies", 4},   {"prescriptions", 3},
      {"administrations", 2}, {"injections", 3},  {"injection_administrations", 2},
      {"lab_orders", 2},      {"lab_results", 1}, {"radiology", 2},
      {"endoscopy", 2},       {"physiology", 2},  {"meals", 1},
      {"diagnoses", 1},       {"documents", 0}};
  for (const auto& [name, n] : expected) {
    auto j = get(name);
    EXPECT_EQ(j["items"].size(), n) << name;
    EXPECT_EQ(j["unreadable_files"], 0) << name;
  }
  auto radiology = get("radiology")["items"];
  bool uid = false;
  for (const auto& s : radiology) {
    for (const auto& u : s["study_uids"])
      uid |= u == "1.2.392.1114.20045.43233.5.300001";
  }
  EXPECT_TRUE(uid);
  EXPECT_FALSE(category(sample_index(), kPatient, "no_such_category", {}));
}

TEST(RecordQuery, PagesAndFiltersByDate) {
  RecordQuery q;
  q.limit = 2;
  auto first = get("prescriptions", q);
  EXPECT_EQ(first["items"].size(), 2u);
  EXPECT_EQ(first["next_offset"], 2);
  q.offset = 2;
  auto second = get("prescriptions", q);
  EXPECT_EQ(second["items"].size(), 1u);
  EXPECT_TRUE(second["next_offset"].is_null());
  EXPECT_EQ(second["items"][0]["drug"]["code"], "100607002");

  RecordQuery november;
  november.from = 20111101;
  november.to = 20111130;
  auto enc = get("encounters", november);
  ASSERT_EQ(enc["items"].size(), 1u);
  EXPECT_EQ(enc["items"][0]["kind"], "admission");
  RecordQuery late;
  late.from = 20111221;
  EXPECT_EQ(get("radiology", late)["items"].size(), 0u);

  RecordQuery huge;
  huge.limit = 100000;
  EXPECT_EQ(get("encounters", huge)["limit"], kMaxLimit);
  EXPECT_EQ(parse_query_date("2011-12-20"), 20111220u);
  EXPECT_EQ(parse_query_date("20111220"), 20111220u);
  EXPECT_FALSE(parse_query_date("2011-13-20"));
  EXPECT_FALSE(parse_query_date("-"));
}

TEST(RecordQuery, ACancellationMarksTheEventItCancels) {
  TempDir dir;
  gateway::testing::copy_tree(sample_root() + "/999", dir.path() + "/999");
  std::string adt_dir = dir.path() + "/999/901/9999013/20111120/ADT-22";
  std::string bytes = gateway::testing::read_bytes(gateway::testing::only_file_in(adt_dir));
  gateway::testing::write_bytes(
      adt_dir + "/9999013_20111120_ADT-22_999999999999999_20111221090000000_01_1",
      gateway::testing::replace_in_jis(bytes, "ADT^A01^ADT_A01", "ADT^A11^ADT_A09"));
  storage::IndexOptions o;
  o.standard_root = dir.path();
  storage::StorageIndex index(o);
  index.scan();
  auto j = category(index, kPatient, "encounters", {});
  ASSERT_TRUE(j);
  int cancellations = 0, cancelled = 0;
  for (const auto& e : (*j)["items"]) {
    if (e["event"] != "ADT-22")
      continue;
    if (e["cancelled"] == true) {
      ++cancellations;
      EXPECT_EQ(e["trigger"], "A11");
    } else {
      EXPECT_EQ(e["status"], "cancelled");
      ++cancelled;
    }
  }
  EXPECT_EQ(cancellations, 1);
  EXPECT_EQ(cancelled, 1);
  // Other events stay active.
  for (const auto& e : (*j)["items"]) {
    if (e["event"] == "ADT-42")
      EXPECT_EQ(e["status"], "active");
  }
}

TEST(RecordQuery, ProblemsAndStats) {
  auto p = problems(sample_index(), 0, 2, false);
  EXPECT_EQ(p["items"].size(), 2u);
  EXPECT_EQ(p["next_offset"], 2);
  EXPECT_EQ(p["items"][0]["severity"], "error");
  auto s = stats(sample_index());
  EXPECT_EQ(s["errors"], 3);
  EXPECT_EQ(s["by_type"]["OML-11"], 1);
}

TEST(RecordQuery, DocumentsFromTheExtendedStorage) {
  TempDir dir;
  ASSERT_EQ(
      gateway::testing::run_generator({"--out", dir.path() + "/std", "--extended",
                                       dir.path() + "/ext", "--patients", "60", "--seed", "7"}),
      0);
  storage::IndexOptions o;
  o.standard_root = dir.path() + "/std";
  o.extended_root = dir.path() + "/ext";
  storage::StorageIndex index(o);
  index.scan();
  EXPECT_EQ(index.stats().errors, 0u);
  ASSERT_GT(index.stats().documents, 0u);
  std::string pid;
  for (const auto& id : index.patient_ids("", 1000)) {
    if (!index.documents(id).empty()) {
      pid = id;
      break;
    }
  }
  ASSERT_FALSE(pid.empty());
  auto docs = category(index, pid, "documents", {});
  ASSERT_TRUE(docs);
  ASSERT_GE((*docs)["items"].size(), 1u);
  const auto& d = (*docs)["items"][0];
  EXPECT_EQ(d["type"]["code"], "DSUM");
  EXPECT_EQ(d["type"]["alt_code"], "18842-5");
  EXPECT_EQ(d["media_type"], "application/pdf");
  auto file = document_file(index, pid, d["id"]);
  ASSERT_TRUE(file);
  EXPECT_TRUE(std::filesystem::exists(file->path));
  EXPECT_EQ(file->size, std::filesystem::file_size(file->path));
  EXPECT_FALSE(document_file(index, pid, "0000000000000000"));
  // The full record has every category.
  auto full = full_record(index, pid);
  ASSERT_TRUE(full);
  EXPECT_FALSE(
      (*full)["demographics"]["patient"]["name_kanji"]["family"].get<std::string>().empty());
  EXPECT_GE((*full)["encounters"]["items"].size(), 1u);
}

}  // namespace
}  // namespace hareyaka::gateway::record
