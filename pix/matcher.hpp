// Record linkage between identities: normalised comparison fields, blocking keys, a weighted
// score (Fellegi–Sunter style agreement/disagreement weights per field) and the three-way
// classification. Pure functions: the store decides what to do with the result.
#pragma once

#include <string>
#include <vector>

namespace hareyaka::pix {

struct Demographics {
  std::string family_kanji;  // 漢字氏名 (or the alphabetic name when there is no kanji)
  std::string given_kanji;
  std::string family_kana;  // カナ氏名
  std::string given_kana;
  std::string birth_date;  // YYYYMMDD, empty when unknown
  char sex = 'U';          // M, F, O, U
  std::string address;
  std::string postal_code;
  std::string phone;
};

// What matching compares: the normalised forms of Demographics (stored beside the raw data).
struct MatchRecord {
  std::string kana_family, kana_given;    // normalize_kana
  std::string key_family, key_given;      // kana_key
  std::string kanji_family, kanji_given;  // normalize_kanji
  // The name as romaji keys in key order (the Latin name's, or the kana's Hepburn reading):
  // blocking between romaji-only and kana records. Not read by score().
  std::string romaji_first, romaji_second;
  std::string birth_date;
  char sex = 'U';
  std::string phone;   // digits, national form
  std::string postal;  // 7 digits
};

MatchRecord match_record(const Demographics& d);

// Weights are log-odds-like points; agreement adds, disagreement subtracts, a missing field
// on either side counts zero.
struct MatchWeights {
  double kana_exact = 8;         // full kana name equal after normalisation
  double kana_near = 7;          // equal under kana_key (ヨウコ/ヨーコ, small kana, marks)
  double kana_given_only = 2;    // given name agrees, family differs (marriage)
  double kana_family_only = -2;  // family agrees, given differs (siblings, twins)
  double kana_mismatch = -8;
  double birth_exact = 6;
  double birth_near = 2;  // one digit wrong, two digits swapped, or day/month swapped
  double birth_mismatch = -10;
  double sex_match = 1;
  double sex_mismatch = -6;
  double kanji_exact = 4;
  double kanji_partial = 1.5;
  double kanji_mismatch = -2;
  double phone_match = 3;
  double phone_mismatch = -1;
  double postal_match = 2;
  double postal_mismatch = -2;
};

struct MatchSettings {
  MatchWeights weights;
  // Name + birth date + sex + kanji alone (19 points) do not link automatically: at national
  // scale namesakes born the same day exist, so a phone number or postal code must agree too.
  double auto_link_threshold = 20;
  double review_threshold = 10;
  int max_candidates = 200;  // per feed, across all blocking keys
};

double score(const MatchRecord& a, const MatchRecord& b, const MatchWeights& w);

enum class Decision { kAutoLink, kReview, kApart };
Decision classify(double score, const MatchSettings& s);

// True when two YYYYMMDD dates differ by one digit, an adjacent swap, or day/month swap.
bool near_birth_date(const std::string& a, const std::string& b);

}  // namespace hareyaka::pix
