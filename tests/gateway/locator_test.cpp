// Locator entries from the storage index (the NHO sample storage, whose files are listed in
// tests/data/ssmix2-nho/sampleData), and the outbox's record of what was acknowledged.
#include "gateway/publish/locator.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/digest.hpp"
#include "gateway/publish/outbox.hpp"
#include "tests/gateway/ssmix2_test_support.hpp"
#include "tests/support/process.hpp"

namespace hareyaka::gateway::publish {
namespace {

using hareyaka::testing::TempDir;
using nlohmann::json;

constexpr const char* kPatient = "9999013";

storage::StorageIndex& sample_index() {
  static TempDir dir;
  static auto* index = [] {
    gateway::testing::copy_tree(gateway::testing::sample_root(), dir.path() + "/std");
    storage::IndexOptions o;
    o.standard_root = dir.path() + "/std";
    auto* i = new storage::StorageIndex(o);
    i->scan();
    return i;
  }();
  return *index;
}

TEST(Locator, CountsEachCategoryWithItsDateRange) {
  auto e = locator_entry(sample_index(), {}, kPatient);
  ASSERT_TRUE(e);
  const json& c = e->content["categories"];
  // ADT-22 (2011-11-20), ADT-42 and ADT-52 (2011-12-20).
  EXPECT_EQ(c["encounters"], (json{{"count", 3}, {"first", "2011-11-20"}, {"last", "2011-12-20"}}));
  // Dateless: a count, no range.
  EXPECT_EQ(c["allergies"], (json{{"count", 1}}));
  EXPECT_EQ(c["diagnoses"], (json{{"count", 1}}));
  EXPECT_EQ(c["administrations"],
            (json{{"count", 1}, {"first", "2011-06-30"}, {"last", "2011-06-30"}}));
  EXPECT_EQ(c["prescriptions"],
            (json{{"count", 1}, {"first", "2011-07-01"}, {"last", "2011-07-01"}}));
  EXPECT_EQ(c["meals"], (json{{"count", 1}, {"first", "2011-10-13"}, {"last", "2011-10-13"}}));
  // Order and result together: OMG-01 + OMG-11.
  EXPECT_EQ(c["radiology"], (json{{"count", 2}, {"first", "2011-12-20"}, {"last", "2011-12-20"}}));
  EXPECT_EQ(c["lab_results"]["count"], 1);
  EXPECT_FALSE(c.contains("demographics"));  // the ITI-44 feed carries those
  EXPECT_FALSE(c.contains("documents"));     // no extended storage
  EXPECT_EQ(e->content["documents"], json::array());
  EXPECT_EQ(e->content["studies"], json::array());
  EXPECT_EQ(e->digest, sha256_hex(e->content.dump()));
  EXPECT_GT(e->last_change_ms, 0);
  EXPECT_FALSE(locator_entry(sample_index(), {}, "0000001"));  // no usable file
}

TEST(Locator, StudiesComeFromTheHookSortedAndChangeTheDigest) {
  const auto without = locator_entry(sample_index(), {}, kPatient);
  StudyLookup studies = [](const std::string& id) {
    EXPECT_EQ(id, kPatient);
    return std::vector<StudyRef>{{"1.2.3.9", 20111220, "CR"}, {"1.2.3.1", 0, ""}};
  };
  const auto with = locator_entry(sample_index(), studies, kPatient);
  EXPECT_EQ(
      with->content["studies"],
      (json::array({{{"study_uid", "1.2.3.1"}},
                    {{"study_uid", "1.2.3.9"}, {"date", "2011-12-20"}, {"modality", "CR"}}})));
  EXPECT_NE(with->digest, without->digest);
  EXPECT_EQ(locator_entry(sample_index(), studies, kPatient)->digest, with->digest);  // stable
}

TEST(Locator, UtcTimesRoundTripAndBadOnesAreRefused) {
  EXPECT_EQ(format_utc_ms(1'700'000'000'123), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(parse_utc_ms("2023-11-14T22:13:20.123Z"), 1'700'000'000'123);
  for (const char* bad : {"", "2023-11-14T22:13:20Z", "2023-13-14T22:13:20.123Z",
                          "2023-11-14 22:13:20.123Z", "2023-11-14T22:13:20.123+09"}) {
    EXPECT_FALSE(parse_utc_ms(bad)) << bad;
  }
}

TEST(Outbox, KeepsTheLocatorStateApartFromTheEntryAndAcrossRestarts) {
  TempDir dir;
  {
    Outbox o(dir.path());
    o.add("p/1");
    o.record_feed("p/1", "feed-digest");
    o.record_locator("p/1", {.digest = "loc-digest", .last_change_ms = 42});
    EXPECT_EQ(o.pending_count(), 1u);  // recorded parts do not remove the entry
    o.done("p/1");
    EXPECT_EQ(o.pending_count(), 0u);
  }
  Outbox again(dir.path());
  EXPECT_EQ(again.acknowledged_digest("p/1"), "feed-digest");
  auto s = again.locator_state("p/1");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->digest, "loc-digest");
  EXPECT_EQ(s->last_change_ms, 42);
  again.forget_locator("p/1");
  EXPECT_FALSE(again.locator_state("p/1"));
  EXPECT_FALSE(again.locator_state("never"));
}

// A change while the patient's entry is being sent (a document attached during the feed of its
// registration) is not lost when that sending completes: the entry stays for the next round.
TEST(Outbox, AChangeWhileSendingKeepsTheEntryForTheNextRound) {
  TempDir dir;
  Outbox o(dir.path());
  o.add("p1");
  ASSERT_EQ(o.pending(10), std::vector<std::string>{"p1"});
  o.add("p1");  // changed again before done()
  o.acknowledge("p1", "digest-1");
  EXPECT_EQ(o.pending_count(), 1u);
  ASSERT_EQ(o.pending(10), std::vector<std::string>{"p1"});
  o.acknowledge("p1", "digest-2");
  EXPECT_EQ(o.pending_count(), 0u);
  // An entry not taken: added twice, done once, gone.
  o.add("p2");
  o.add("p2");
  o.done("p2");
  EXPECT_EQ(o.pending_count(), 0u);
}

// What a crash while an entry was written leaves (a temporary never renamed into place) goes at
// start; the entries themselves stay.
TEST(Outbox, TemporariesLeftByACrashAreRemovedAtStart) {
  TempDir dir;
  {
    Outbox o(dir.path());
    o.add("p1");
    o.record_feed("p1", "digest-1");
  }
  for (const char* left : {"/outbox/.tmp-123-1", "/published/.tmp-123-2", "/locators/.tmp-9-9",
                           "/outbox/.7031.4.tmp"}) {
    std::ofstream(dir.path() + left) << "half";
  }
  Outbox again(dir.path());
  std::size_t files = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir.path())) {
    files += e.is_regular_file();
    EXPECT_NE(e.path().filename().string()[0], '.') << e.path();
  }
  EXPECT_EQ(files, 2u);
  EXPECT_EQ(again.pending_count(), 1u);
  EXPECT_EQ(again.acknowledged_digest("p1"), "digest-1");
}

}  // namespace
}  // namespace hareyaka::gateway::publish
