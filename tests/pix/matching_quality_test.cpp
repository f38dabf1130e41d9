// Matching quality on generated records with known truth, at the default thresholds.
// Goals: no false automatic link; recall >= 0.98 over spelling/format variants. Pairs where
// a person moved (new postal code and phone) cannot be told from a namesake born the same
// day, so they are expected in the review queue instead: reported, with how many of the
// missed pairs the queue holds. Prints the figures for docs/performance.md.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>

#include "pix/pg_identity_store.hpp"
#include "tests/pix/variant_generator.hpp"
#include "tests/support/pg_cluster.hpp"

namespace hareyaka::pix {
namespace {

struct Quality {
  long false_links = 0;
  double precision = 0, variant_recall = 0, with_review = 0;
};

Quality measure(const testing::GeneratorSettings& gs, const char* label) {
  auto pool = hareyaka::testing::fresh_pool({&migrations()}, 2);
  PgIdentityStore store(*pool, {});
  const auto records = testing::generate_records(gs);
  for (const auto& r : records)
    store.register_identity({r.key}, r.demographics);

  std::map<std::string, std::int64_t> person_of;
  for (const auto& r : records)
    person_of[r.key.authority + "^" + r.key.local_id] = store.find(r.key)->person_id;
  auto person = [&](const IdentityKey& k) { return person_of.at(k.authority + "^" + k.local_id); };

  // Persons pairs the review queue proposes.
  std::set<std::pair<std::int64_t, std::int64_t>> proposed;
  int review_items = 0;
  for (std::int64_t after = 0;;) {
    auto page = store.open_reviews(after, 500);
    if (page.empty())
      break;
    for (const auto& item : page) {
      auto a = person(item.identity), b = person(item.candidate);
      proposed.insert({std::min(a, b), std::max(a, b)});
      after = item.id;
      ++review_items;
    }
  }

  long true_pairs = 0, linked = 0, variant_pairs = 0, variant_linked = 0, missed_in_review = 0;
  long false_links = 0, predicted = 0;
  std::map<int, std::vector<const testing::GeneratedRecord*>> by_truth;
  std::map<std::int64_t, std::vector<const testing::GeneratedRecord*>> by_person;
  for (const auto& r : records) {
    by_truth[r.truth].push_back(&r);
    by_person[person(r.key)].push_back(&r);
  }
  for (const auto& [t, rs] : by_truth) {
    for (std::size_t i = 0; i < rs.size(); ++i) {
      for (std::size_t j = i + 1; j < rs.size(); ++j) {
        const auto a = person(rs[i]->key), b = person(rs[j]->key);
        const bool variant = !rs[i]->moved && !rs[j]->moved;
        ++true_pairs;
        variant_pairs += variant;
        if (a == b) {
          ++linked;
          variant_linked += variant;
        } else if (proposed.count({std::min(a, b), std::max(a, b)})) {
          ++missed_in_review;
        } else if (std::getenv("PIX_QUALITY_DEBUG")) {
          const auto& x = rs[i]->demographics;
          const auto& y = rs[j]->demographics;
          std::printf("missed %.1f | %s %s %s %s %s %s %s | %s %s %s %s %s %s %s\n",
                      score(match_record(x), match_record(y), MatchWeights{}),
                      x.family_kanji.c_str(), x.given_kanji.c_str(), x.family_kana.c_str(),
                      x.given_kana.c_str(), x.birth_date.c_str(), x.postal_code.c_str(),
                      x.phone.c_str(), y.family_kanji.c_str(), y.given_kanji.c_str(),
                      y.family_kana.c_str(), y.given_kana.c_str(), y.birth_date.c_str(),
                      y.postal_code.c_str(), y.phone.c_str());
        }
      }
    }
  }
  for (const auto& [p, rs] : by_person) {
    for (std::size_t i = 0; i < rs.size(); ++i) {
      for (std::size_t j = i + 1; j < rs.size(); ++j) {
        ++predicted;
        false_links += rs[i]->truth != rs[j]->truth;
      }
    }
  }
  const double precision = predicted ? double(predicted - false_links) / predicted : 1.0;
  const double recall = double(linked) / true_pairs;
  const double variant_recall = double(variant_linked) / variant_pairs;
  const double with_review = double(linked + missed_in_review) / true_pairs;
  std::printf(
      "matching quality (%s): persons=%d records=%zu true_pairs=%ld auto_linked_pairs=%ld "
      "false_links=%ld precision=%.4f recall_variants=%.4f (%ld pairs) recall_all=%.4f "
      "recall_all_incl_review_queue=%.4f review_items=%d\n",
      label, gs.persons, records.size(), true_pairs, predicted, false_links, precision,
      variant_recall, variant_pairs, recall, with_review, review_items);
  return {false_links, precision, variant_recall, with_review};
}

TEST(MatchingQuality, NoFalseAutoLinkAndHighRecallOnVariants) {
  const Quality q = measure({}, "kanji and kana");
  EXPECT_EQ(q.false_links, 0);
  EXPECT_GE(q.variant_recall, 0.98);
  EXPECT_GE(q.with_review, 0.99);
}

// Every record in romaji only (romaji-only EMRs), same persons and hard negatives.
TEST(MatchingQuality, LatinNamesNoFalseAutoLinkAndHighRecall) {
  testing::GeneratorSettings gs;
  gs.latin_rate = 1.0;
  const Quality q = measure(gs, "romaji only");
  EXPECT_EQ(q.false_links, 0);
  EXPECT_GE(q.variant_recall, 0.98);
  EXPECT_GE(q.with_review, 0.99);
}

// Half the records in romaji, half in kanji and kana: about half the true pairs cross
// scripts. A romaji record agrees with a kana one on the reading only (no kanji on one
// side), so it links only when every other field agrees and otherwise goes to review: the
// automatic-link floor below is what that achieves (docs/performance.md), not a goal.
TEST(MatchingQuality, RomajiAgainstKanaNoFalseAutoLink) {
  testing::GeneratorSettings gs;
  gs.latin_rate = 0.5;
  const Quality q = measure(gs, "half romaji, half kanji+kana");
  EXPECT_EQ(q.false_links, 0);
  EXPECT_GE(q.variant_recall, 0.91);
  EXPECT_GE(q.with_review, 0.99);
}

}  // namespace
}  // namespace hareyaka::pix
