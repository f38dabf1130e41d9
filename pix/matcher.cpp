#include "pix/matcher.hpp"

#include "pix/japanese_name.hpp"

namespace hareyaka::pix {
namespace {

std::string national_phone(const std::string& raw) {
  std::string d = digits_only(raw);
  if (d.rfind("81", 0) == 0 && d.size() >= 11)
    d = "0" + d.substr(2);  // +81 90... → 090...
  return d;
}

// "山田 太郎" in the family field with an empty given field (some systems keep one name
// field): split at the first space, ASCII or ideographic.
std::pair<std::string, std::string> split_name(const std::string& family,
                                               const std::string& given) {
  if (!given.empty())
    return {family, given};
  static const std::string kIdeographicSpace = "\xE3\x80\x80";
  std::string f = family;
  while (!f.empty() && f.back() == ' ')
    f.pop_back();
  while (f.rfind(kIdeographicSpace, 0) == 0)
    f.erase(0, kIdeographicSpace.size());
  while (!f.empty() && f.front() == ' ')
    f.erase(0, 1);
  auto pos = f.find(' ');
  auto ipos = f.find(kIdeographicSpace);
  if (ipos != std::string::npos && (pos == std::string::npos || ipos < pos)) {
    return {f.substr(0, ipos), f.substr(ipos + kIdeographicSpace.size())};
  }
  if (pos != std::string::npos)
    return {f.substr(0, pos), f.substr(pos + 1)};
  return {family, given};
}

}  // namespace

MatchRecord match_record(const Demographics& d) {
  MatchRecord r;
  const auto [family_kana, given_kana] = split_name(d.family_kana, d.given_kana);
  const auto [family_kanji, given_kanji] = split_name(d.family_kanji, d.given_kanji);
  r.kana_family = normalize_kana(family_kana);
  r.kana_given = normalize_kana(given_kana);
  r.key_family = kana_key(family_kana);
  r.key_given = kana_key(given_kana);
  r.kanji_family = normalize_kanji(family_kanji);
  r.kanji_given = normalize_kanji(given_kanji);
  r.birth_date = d.birth_date.size() >= 8 ? d.birth_date.substr(0, 8) : std::string();
  r.sex = d.sex;
  r.phone = national_phone(d.phone);
  r.postal = digits_only(d.postal_code);
  return r;
}

bool near_birth_date(const std::string& a, const std::string& b) {
  if (a.size() != 8 || b.size() != 8 || a == b)
    return false;
  int diffs = 0, first = -1, second = -1;
  for (int i = 0; i < 8; ++i) {
    if (a[i] != b[i]) {
      ++diffs;
      (first < 0 ? first : second) = i;
    }
  }
  if (diffs == 1)
    return true;
  if (diffs == 2 && second == first + 1 && a[first] == b[second] && a[second] == b[first]) {
    return true;
  }
  // YYYYMMDD with month and day exchanged.
  return a.substr(0, 4) == b.substr(0, 4) && a.substr(4, 2) == b.substr(6, 2) &&
         a.substr(6, 2) == b.substr(4, 2);
}

double score(const MatchRecord& a, const MatchRecord& b, const MatchWeights& w) {
  double s = 0;
  // Kana name: compared as a whole first (one source may not split family and given).
  const std::string a_full = a.kana_family + a.kana_given, b_full = b.kana_family + b.kana_given;
  if (!a_full.empty() && !b_full.empty()) {
    if (a_full == b_full) {
      s += w.kana_exact;
    } else if (a.key_family + a.key_given == b.key_family + b.key_given) {
      s += w.kana_near;
    } else {
      const bool fam = !a.key_family.empty() && a.key_family == b.key_family;
      const bool giv = !a.key_given.empty() && a.key_given == b.key_given;
      s += fam ? w.kana_family_only : giv ? w.kana_given_only : w.kana_mismatch;
    }
  }
  const std::string a_kanji = a.kanji_family + a.kanji_given,
                    b_kanji = b.kanji_family + b.kanji_given;
  if (!a_kanji.empty() && !b_kanji.empty()) {
    if (a_kanji == b_kanji) {
      s += w.kanji_exact;
    } else if ((!a.kanji_family.empty() && a.kanji_family == b.kanji_family) ||
               (!a.kanji_given.empty() && a.kanji_given == b.kanji_given)) {
      s += w.kanji_partial;
    } else {
      s += w.kanji_mismatch;
    }
  }
  if (!a.birth_date.empty() && !b.birth_date.empty()) {
    s += a.birth_date == b.birth_date                  ? w.birth_exact
         : near_birth_date(a.birth_date, b.birth_date) ? w.birth_near
                                                       : w.birth_mismatch;
  }
  const bool a_sex = a.sex == 'M' || a.sex == 'F', b_sex = b.sex == 'M' || b.sex == 'F';
  if (a_sex && b_sex)
    s += a.sex == b.sex ? w.sex_match : w.sex_mismatch;
  if (a.phone.size() >= 6 && b.phone.size() >= 6) {
    s += a.phone == b.phone ? w.phone_match : w.phone_mismatch;
  }
  if (a.postal.size() == 7 && b.postal.size() == 7) {
    s += a.postal == b.postal ? w.postal_match : w.postal_mismatch;
  }
  return s;
}

Decision classify(double score, const MatchSettings& s) {
  if (score >= s.auto_link_threshold)
    return Decision::kAutoLink;
  if (score >= s.review_threshold)
    return Decision::kReview;
  return Decision::kApart;
}

}  // namespace hareyaka::pix
