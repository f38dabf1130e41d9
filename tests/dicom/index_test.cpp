// The index on its own: matching, paging, person names, persistence. Records are built by
// hand so each matching rule can be pinned down.
#include "gateway/dicom/index.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/support/process.hpp"

namespace hareyaka::gateway::dicom {
namespace {

InstanceRecord rec(std::string study, std::string series, std::string sop, std::string pid,
                   std::string name, std::string date, std::string modality, std::string acc = {}) {
  InstanceRecord r;
  r.study_uid = std::move(study);
  r.series_uid = std::move(series);
  r.sop_uid = std::move(sop);
  r.patient_id = std::move(pid);
  r.patient_name = std::move(name);
  r.study_date = std::move(date);
  r.modality = std::move(modality);
  r.accession_number = std::move(acc);
  r.path = r.study_uid + "/" + r.series_uid + "/" + r.sop_uid + ".dcm";
  return r;
}

class IndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    index_ = std::make_unique<DicomIndex>(journal());
    index_->add(rec("1.1", "1.1.1", "1.1.1.1", "P1", "Yamada^Tarou=山田^太郎=やまだ^たろう",
                    "20240105", "CT", "A1"));
    index_->add(rec("1.1", "1.1.2", "1.1.2.1", "P1", "Yamada^Tarou=山田^太郎=やまだ^たろう",
                    "20240105", "SR", "A1"));
    index_->add(rec("1.1", "1.1.1", "1.1.1.2", "P1", "Yamada^Tarou=山田^太郎=やまだ^たろう",
                    "20240105", "CT", "A1"));
    index_->add(rec("1.2", "1.2.1", "1.2.1.1", "P1", "Yamada^Tarou", "20230301", "MR", "A2"));
    index_->add(
        rec("1.3", "1.3.1", "1.3.1.1", "P2", "Suzuki^Hanako=鈴木^花子", "20240210", "CR", "A3"));
    index_->add(rec("1.4", "1.4.1", "1.4.1.1", "P3", "Smith^John", "", "US", "A4"));
  }
  std::filesystem::path journal() const {
    return std::filesystem::path(dir_.path()) / "index.jsonl";
  }
  static std::vector<std::string> uids(const std::vector<StudySummary>& v) {
    std::vector<std::string> out;
    for (const auto& s : v)
      out.push_back(s.head.study_uid);
    return out;
  }
  testing::TempDir dir_;
  std::unique_ptr<DicomIndex> index_;
};

TEST_F(IndexTest, SummarizesAStudyByUid) {
  auto s = index_->study("1.1");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->series_count, 2u);
  EXPECT_EQ(s->instance_count, 3u);
  EXPECT_EQ(s->modalities, (std::set<std::string>{"CT", "SR"}));
  EXPECT_FALSE(index_->study("9.9"));
}

TEST_F(IndexTest, MatchesByPatientDateModalityAndAccession) {
  StudyQuery q;
  q.patient_id = "P1";
  EXPECT_EQ(uids(index_->find_studies(q)),
            (std::vector<std::string>{"1.1", "1.2"}));  // newest first
  q = {};
  q.study_date = DateRange{"20240101", ""};
  EXPECT_EQ(uids(index_->find_studies(q)), (std::vector<std::string>{"1.3", "1.1"}));
  q.study_date = DateRange{"", "20240131"};
  EXPECT_EQ(uids(index_->find_studies(q)), (std::vector<std::string>{"1.1", "1.2"}));
  q.study_date = DateRange{"20240105", "20240105"};
  EXPECT_EQ(uids(index_->find_studies(q)), (std::vector<std::string>{"1.1"}));
  q = {};
  q.modalities = {"SR"};
  EXPECT_EQ(uids(index_->find_studies(q)), (std::vector<std::string>{"1.1"}));
  q.modalities = {"MR", "CR"};
  EXPECT_EQ(uids(index_->find_studies(q)), (std::vector<std::string>{"1.3", "1.2"}));
  q = {};
  q.accession_number = "A4";
  EXPECT_EQ(uids(index_->find_studies(q)), (std::vector<std::string>{"1.4"}));
  q = {};
  q.study_uids = {"1.4", "1.2", "9.9"};
  EXPECT_EQ(uids(index_->find_studies(q)), (std::vector<std::string>{"1.2", "1.4"}));
}

TEST_F(IndexTest, MatchesPersonNamesWithWildcardsInEveryComponentGroup) {
  StudyQuery q;
  q.patient_name = "yamada*";
  EXPECT_EQ(uids(index_->find_studies(q)), (std::vector<std::string>{"1.1", "1.2"}));
  q.patient_name = "山田*";
  EXPECT_EQ(uids(index_->find_studies(q)), (std::vector<std::string>{"1.1"}));
  q.patient_name = "鈴?^花子";
  EXPECT_EQ(uids(index_->find_studies(q)), (std::vector<std::string>{"1.3"}));
  q.patient_name = "*たろう";
  EXPECT_EQ(uids(index_->find_studies(q)), (std::vector<std::string>{"1.1"}));
  q.patient_name = "Tanaka*";
  EXPECT_TRUE(index_->find_studies(q).empty());
}

TEST_F(IndexTest, PagesWithOffsetAndLimit) {
  StudyQuery q;
  q.limit = 2;
  EXPECT_EQ(uids(index_->find_studies(q)), (std::vector<std::string>{"1.3", "1.1"}));
  q.offset = 2;
  EXPECT_EQ(uids(index_->find_studies(q)), (std::vector<std::string>{"1.2", "1.4"}));
  q.offset = 4;
  EXPECT_TRUE(index_->find_studies(q).empty());
}

TEST_F(IndexTest, ListsSeriesAndInstances) {
  SeriesQuery sq;
  sq.study.study_uids = {"1.1"};
  auto series = index_->find_series(sq);
  ASSERT_EQ(series.size(), 2u);
  sq.modalities = {"CT"};
  series = index_->find_series(sq);
  ASSERT_EQ(series.size(), 1u);
  EXPECT_EQ(series[0].instance_count, 2u);
  EXPECT_EQ(index_->instances_of("1.1", "1.1.1").size(), 2u);
  EXPECT_EQ(index_->instances_of("1.1").size(), 3u);
  InstanceQuery iq;
  iq.series.study.study_uids = {"1.1"};
  iq.limit = 1;
  iq.offset = 2;
  EXPECT_EQ(index_->find_instances(iq).size(), 1u);
}

TEST_F(IndexTest, ReplacingAnInstanceMovesItAndEmptyStudiesDisappear) {
  // The same SOP instance re-sent with a corrected study.
  index_->add(rec("1.5", "1.5.1", "1.4.1.1", "P3", "Smith^John", "20240301", "US", "A5"));
  EXPECT_FALSE(index_->study("1.4"));
  EXPECT_TRUE(index_->study("1.5"));
  StudyQuery q;
  q.accession_number = "A4";
  EXPECT_TRUE(index_->find_studies(q).empty());
  EXPECT_EQ(index_->instance_count(), 6u);
}

TEST_F(IndexTest, ReloadsFromTheJournalAndReportsDamage) {
  index_.reset();
  DicomIndex again(journal());
  EXPECT_TRUE(again.loaded_cleanly());
  EXPECT_EQ(again.instance_count(), 6u);
  EXPECT_EQ(again.study_count(), 4u);
  {
    std::FILE* f = std::fopen(journal().c_str(), "a");
    std::fputs("{\"sop_uid\": \"1.9", f);  // a line cut short by a crash
    std::fclose(f);
  }
  DicomIndex damaged(journal());
  EXPECT_FALSE(damaged.loaded_cleanly());
  EXPECT_EQ(damaged.instance_count(), 6u);
  DicomIndex missing(std::filesystem::path(journal()).replace_filename("none.jsonl"));
  EXPECT_FALSE(missing.loaded_cleanly());
}

TEST(Wildcard, FollowsDicomRules) {
  EXPECT_TRUE(wildcard_match("a*c", "abbbc"));
  EXPECT_TRUE(wildcard_match("A?C", "abc"));
  EXPECT_FALSE(wildcard_match("a?c", "ac"));
  EXPECT_TRUE(wildcard_match("*", ""));
  EXPECT_TRUE(wildcard_match("山?", "山田"));
  EXPECT_FALSE(wildcard_match("abc", "abcd"));
}

}  // namespace
}  // namespace hareyaka::gateway::dicom
