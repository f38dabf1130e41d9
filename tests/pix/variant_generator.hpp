// A deterministic generator of patient records with known truth, for measuring matching
// quality: base persons with realistic Japanese names, each registered at one to three
// facilities with the variations real systems produce (half-width or hiragana kana,
// long vowels spelt ー or ウ, small kana written large, old kanji forms, phone and postal
// formats, missing fields, a moved household, a rare birth-date typo), plus the hard
// negatives: twins, and namesakes born the same day elsewhere.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pix/identity_store.hpp"

namespace hareyaka::pix::testing {

struct GeneratedRecord {
  IdentityKey key;
  Demographics demographics;
  int truth = 0;       // the real person
  bool moved = false;  // a life change (new postal code and phone), not a spelling variant
};

struct GeneratorSettings {
  int persons = 2000;
  int facilities = 6;
  std::uint64_t seed = 20261124;
  double twin_rate = 0.01;
  double namesake_rate = 0.01;
  // Share of facility records written in romaji only (no kanji, no kana), as romaji-only
  // EMRs do: Hepburn, passport (long vowels dropped), wapuro (ou/uu), macrons or kunrei;
  // any case; family and given in either order or in one field.
  double latin_rate = 0;
};

std::vector<GeneratedRecord> generate_records(const GeneratorSettings& s);

}  // namespace hareyaka::pix::testing
