// The identity store on a real PostgreSQL (private cluster, one database per test).
#include "pix/pg_identity_store.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "common/error.hpp"
#include "tests/support/pg_cluster.hpp"

namespace hareyaka::pix {
namespace {

constexpr const char* kHospitalA = "1.2.392.200284.33.1";
constexpr const char* kClinicB = "1.2.392.200284.33.2";
constexpr const char* kClinicC = "1.2.392.200284.33.3";

Demographics yoko() {
  Demographics d;
  d.family_kanji = "髙橋";
  d.given_kanji = "洋子";
  d.family_kana = "タカハシ";
  d.given_kana = "ヨウコ";
  d.birth_date = "19580412";
  d.sex = 'F';
  d.postal_code = "7008570";
  d.phone = "086-224-2111";
  d.address = "岡山県岡山市北区丸の内2-4-6";
  return d;
}

Demographics yoko_variant() {
  Demographics d = yoko();
  d.family_kanji = "高橋";
  d.family_kana = "ﾀｶﾊｼ";
  d.given_kana = "ﾖｰｺ";
  d.phone = "0862242111";
  return d;
}

Demographics other_same_birth() {
  Demographics d;
  d.family_kanji = "佐藤";
  d.given_kanji = "一郎";
  d.family_kana = "サトウ";
  d.given_kana = "イチロウ";
  d.birth_date = "19580412";
  d.sex = 'M';
  d.postal_code = "7008570";
  return d;
}

std::vector<std::string> ids_of(IdentityStore& s, std::int64_t person) {
  std::vector<std::string> out;
  for (const auto& m : s.members(person, 100))
    out.push_back(m.key.authority + "^" + m.key.local_id);
  return out;
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pool_ = testing::fresh_pool({&migrations()}, 4);
    StoreSettings s;
    s.notification_consumers = {"xds-registry"};
    s.retry_base = std::chrono::seconds(30);
    store_ = std::make_unique<PgIdentityStore>(*pool_, s);
  }
  std::unique_ptr<pg::Pool> pool_;
  std::unique_ptr<PgIdentityStore> store_;
};

TEST_F(StoreTest, TwoFacilitiesSamePersonWithKanaVariantsLinkAThirdPersonStaysApart) {
  FeedResult a = store_->register_identity({{kHospitalA, "0001000052"}}, yoko());
  EXPECT_EQ(a.outcome, FeedOutcome::kCreated);
  FeedResult b = store_->register_identity({{kClinicB, "12-345"}}, yoko_variant());
  EXPECT_EQ(b.outcome, FeedOutcome::kAutoLinked);
  EXPECT_EQ(b.person_id, a.person_id);
  ASSERT_TRUE(b.score);
  FeedResult c = store_->register_identity({{kClinicC, "C-1"}}, other_same_birth());
  EXPECT_EQ(c.outcome, FeedOutcome::kCreated);
  EXPECT_NE(c.person_id, a.person_id);
  EXPECT_EQ(ids_of(*store_, a.person_id),
            (std::vector<std::string>{std::string(kHospitalA) + "^0001000052",
                                      std::string(kClinicB) + "^12-345"}));
  auto rec = store_->find({kClinicB, "12-345"});
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->link_origin, "auto");
  auto hist = store_->history({kClinicB, "12-345"}, 10);
  ASSERT_EQ(hist.size(), 1u);
  EXPECT_EQ(hist[0].action, "auto_link");
  EXPECT_TRUE(store_->domain_known(kClinicC));
  EXPECT_FALSE(store_->domain_known("1.2.3.999"));
}

TEST_F(StoreTest, SameAuthorityIsNeverLinkedAutomaticallyButQueuedForReview) {
  FeedResult a = store_->register_identity({{kHospitalA, "1"}}, yoko());
  FeedResult dup = store_->register_identity({{kHospitalA, "2"}}, yoko());
  EXPECT_EQ(dup.outcome, FeedOutcome::kCreated);
  EXPECT_NE(dup.person_id, a.person_id);
  EXPECT_EQ(dup.review_items, 1);
  // A second facility's record now matches both persons of hospital A: ambiguous.
  FeedResult b = store_->register_identity({{kClinicB, "x"}}, yoko_variant());
  EXPECT_EQ(b.outcome, FeedOutcome::kCreated);
  auto reviews = store_->open_reviews(0, 10);
  ASSERT_EQ(reviews.size(), 3u);
  EXPECT_EQ(reviews[0].cause, "same_authority");
  EXPECT_EQ(reviews[1].cause, "ambiguous");
  // A person decides: link clinic B to hospital A's first record.
  const ReviewItem* pick = nullptr;
  for (const auto& r : reviews) {
    if (r.identity.authority == kClinicB && r.candidate.local_id == "1")
      pick = &r;
  }
  ASSERT_NE(pick, nullptr);
  store_->resolve_review(pick->id, true, {"staff01", "same insurance card"});
  EXPECT_EQ(store_->find({kClinicB, "x"})->person_id, a.person_id);
  EXPECT_EQ(store_->find({kClinicB, "x"})->link_origin, "manual");
  EXPECT_THROW(store_->resolve_review(pick->id, true, {"staff01", "again"}), Error);
  EXPECT_EQ(store_->open_reviews(0, 10).size(), 2u);
}

TEST_F(StoreTest, UnlinkAndManualLinkRecordWhoAndWhy) {
  FeedResult a = store_->register_identity({{kHospitalA, "1"}}, yoko());
  store_->register_identity({{kClinicB, "2"}}, yoko_variant());
  const std::int64_t fresh = store_->unlink({kClinicB, "2"}, {"admin", "wrong patient"});
  EXPECT_NE(fresh, a.person_id);
  EXPECT_EQ(ids_of(*store_, a.person_id).size(), 1u);
  auto hist = store_->history({kClinicB, "2"}, 10);
  ASSERT_EQ(hist.size(), 2u);
  EXPECT_EQ(hist[0].action, "unlink");
  EXPECT_EQ(hist[0].actor, "admin");
  EXPECT_EQ(hist[0].reason, "wrong patient");
  EXPECT_EQ(hist[0].from_person.value_or(0), a.person_id);
  // A revised feed does not undo a decision made by a person.
  EXPECT_EQ(store_->register_identity({{kClinicB, "2"}}, yoko_variant()).person_id, fresh);
  EXPECT_EQ(store_->link({kClinicB, "2"}, {kHospitalA, "1"}, {"admin", "confirmed"}), a.person_id);
  EXPECT_EQ(ids_of(*store_, a.person_id).size(), 2u);
  EXPECT_THROW(store_->link({kClinicB, "nope"}, {kHospitalA, "1"}, {"a", "b"}), Error);
}

TEST_F(StoreTest, MergeMovesTheSubsumedIdentityAndItsLinksIntoTheSurvivor) {
  FeedResult keep = store_->register_identity({{kHospitalA, "100"}}, yoko());
  FeedResult old = store_->register_identity({{kHospitalA, "200"}}, yoko());
  ASSERT_NE(keep.person_id, old.person_id);
  store_->register_identity({{kClinicC, "c"}}, other_same_birth());
  store_->link({kClinicC, "c"}, {kHospitalA, "200"}, {"admin", "test"});
  const std::int64_t person =
      store_->merge({kHospitalA, "100"}, {kHospitalA, "200"}, {"ITI-44", "PRPA_IN201304UV02"});
  EXPECT_EQ(person, keep.person_id);
  auto merged = store_->find({kHospitalA, "200"});
  ASSERT_TRUE(merged);
  EXPECT_TRUE(merged->merged);
  EXPECT_EQ(merged->merged_into->local_id, "100");
  EXPECT_EQ(merged->person_id, keep.person_id);
  EXPECT_EQ(
      ids_of(*store_, keep.person_id),
      (std::vector<std::string>{std::string(kHospitalA) + "^100", std::string(kClinicC) + "^c"}));
  EXPECT_TRUE(store_->members(old.person_id, 10).empty());
  // Repeating the merge, or merging an unknown id, changes nothing.
  EXPECT_EQ(store_->merge({kHospitalA, "100"}, {kHospitalA, "200"}, {"", ""}), keep.person_id);
  EXPECT_EQ(store_->merge({kHospitalA, "100"}, {kHospitalA, "404"}, {"", ""}), keep.person_id);
  EXPECT_THROW(store_->merge({kHospitalA, "404"}, {kHospitalA, "100"}, {"", ""}), Error);
  EXPECT_EQ(store_->history({kHospitalA, "200"}, 10).at(0).action, "merged_away");
}

TEST_F(StoreTest, ConcurrentFeedsOfOnePersonEndInOnePerson) {
  for (int round = 0; round < 10; ++round) {
    std::vector<FeedResult> results(4);
    std::vector<std::thread> threads;
    const char* authorities[] = {kHospitalA, kClinicB, kClinicC, "1.2.392.200284.33.4"};
    for (int i = 0; i < 4; ++i) {
      threads.emplace_back([&, i] {
        Demographics d = i % 2 ? yoko_variant() : yoko();
        d.birth_date = "195804" + std::to_string(10 + round);
        results[i] = store_->register_identity({{authorities[i], "r" + std::to_string(round)}}, d);
      });
    }
    for (auto& t : threads)
      t.join();
    for (int i = 1; i < 4; ++i)
      EXPECT_EQ(results[i].person_id, results[0].person_id) << round;
  }
}

TEST_F(StoreTest, OutboxDeliversEveryChangeAtLeastOnceWithBackoff) {
  store_->register_identity({{kHospitalA, "1"}}, yoko());
  EXPECT_TRUE(store_->claim_due_notifications(10, std::chrono::seconds(60)).empty());
  FeedResult b = store_->register_identity({{kClinicB, "2"}}, yoko_variant());
  auto claimed = store_->claim_due_notifications(10, std::chrono::seconds(60));
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].consumer, "xds-registry");
  EXPECT_EQ(claimed[0].person_id, b.person_id);
  EXPECT_EQ(claimed[0].attempts, 1);
  // Leased: nobody else gets it.
  EXPECT_TRUE(store_->claim_due_notifications(10, std::chrono::seconds(60)).empty());
  store_->mark_failed(claimed[0], "connection refused");
  EXPECT_TRUE(
      store_->claim_due_notifications(10, std::chrono::seconds(60)).empty());  // backing off
  // A change while it waits is folded into the same row and makes it due now.
  store_->register_identity({{kClinicC, "3"}}, yoko_variant());
  auto again = store_->claim_due_notifications(10, std::chrono::seconds(60));
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].attempts, 2);
  EXPECT_GT(again[0].change_seq, claimed[0].change_seq);
  // Delivering the stale claim does not complete the newer change.
  store_->mark_delivered(claimed[0]);
  store_->mark_delivered(again[0]);
  EXPECT_TRUE(store_->claim_due_notifications(10, std::chrono::seconds(0)).empty());
}

TEST_F(StoreTest, SearchByKanaKanjiVariantsBirthDateAndPrefix) {
  FeedResult a = store_->register_identity({{kHospitalA, "1"}}, yoko());
  FeedResult c = store_->register_identity({{kClinicC, "3"}}, other_same_birth());
  auto found = [&](SearchCriteria s) { return store_->search(s, 50); };
  EXPECT_EQ(found({.family = "ﾀｶﾊｼ", .given = "ﾖｰｺ"}), std::vector<std::int64_t>{a.person_id});
  EXPECT_EQ(found({.family = "高橋"}), std::vector<std::int64_t>{a.person_id});
  EXPECT_EQ(found({.family = "髙橋", .given = "洋子"}), std::vector<std::int64_t>{a.person_id});
  EXPECT_TRUE(found({.family = "高橋", .given = "花子"}).empty());
  EXPECT_EQ(found({.family = "タカ*"}), std::vector<std::int64_t>{a.person_id});
  auto both = found({.birth_date = "19580412"});
  std::sort(both.begin(), both.end());
  EXPECT_EQ(both, (std::vector<std::int64_t>{a.person_id, c.person_id}));
  EXPECT_EQ(found({.birth_date = "19580412", .sex = 'M'}), std::vector<std::int64_t>{c.person_id});
  EXPECT_EQ(found({.ids = {{kClinicC, "3"}}}), std::vector<std::int64_t>{c.person_id});
  EXPECT_EQ(found({.phone = "086-224-2111"}), std::vector<std::int64_t>{a.person_id});
  EXPECT_TRUE(found({.family = "100%_\\"}).empty());
}

TEST_F(StoreTest, PdqContinuationStateRoundTrips) {
  PdqState s{"dev|org", "1.2.3", "q1", {5, 7, 9}, 1, "<queryByParameter/>", {"1.2", "3.4"}};
  store_->save_query(s, std::chrono::seconds(60));
  auto back = store_->load_query("dev|org", "1.2.3", "q1");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->person_ids, s.person_ids);
  EXPECT_EQ(back->position, 1);
  EXPECT_EQ(back->scoping, s.scoping);
  store_->delete_query("dev|org", "1.2.3", "q1");
  EXPECT_FALSE(store_->load_query("dev|org", "1.2.3", "q1"));
  store_->save_query(s, std::chrono::seconds(-1));  // already expired
  EXPECT_FALSE(store_->load_query("dev|org", "1.2.3", "q1"));
}

}  // namespace
}  // namespace hareyaka::pix
