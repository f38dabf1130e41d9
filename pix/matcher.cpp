#include "pix/matcher.hpp"

#include <algorithm>
#include <tuple>

#include "pix/japanese_name.hpp"
#include "pix/latin_name.hpp"

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

// Latin names are stored in the kana slots in lower case (normalize_latin); kana never is.
bool roman(const MatchRecord& r) {
  const std::string& s = r.kana_family.empty() ? r.kana_given : r.kana_family;
  return !s.empty() && s[0] >= 'a' && s[0] <= 'z';
}

// The name as romaji key parts: a Latin record's own, or the Hepburn reading of the kana.
std::pair<std::string, std::string> romaji_parts(const MatchRecord& r) {
  if (roman(r))
    return {r.key_family, r.key_given};
  return {romaji_key(kana_romaji(r.kana_family)), romaji_key(kana_romaji(r.kana_given))};
}

// A Latin name against a Latin or kana one. Family and given are compared in either order
// ("YAMADA Taro" / "Taro Yamada") and joined (one source may keep one field). Agreement
// under the romaji key is an exact agreement, because the key folds only romanisation
// conventions (Hepburn/kunrei, long vowels, case, diacritics), not spelling. Two Latin
// names are each record's only name, written and read, so they agree as kana and kanji
// do together (and, as there, name + birth date + sex alone stay below the auto-link
// threshold); a Latin name against a kana reading agrees as the kana only, the kanji
// being absent on one side.
double romaji_score(const MatchRecord& a, const MatchRecord& b, const MatchWeights& w) {
  const auto [a1, a2] = romaji_parts(a);
  const auto [b1, b2] = romaji_parts(b);
  if ((a1 + a2).empty() || (b1 + b2).empty())
    return 0;
  const std::string a_full = a1 + a2;
  if (a_full == b1 + b2 || a_full == b2 + b1 || a2 + a1 == b1 + b2)
    return roman(a) && roman(b) ? w.kana_exact + w.kanji_exact : w.kana_exact;
  for (const std::string* x : {&a1, &a2}) {
    // One part agrees: the order is unknown, so it is taken as the family name (twins).
    if (!x->empty() && (*x == b1 || *x == b2))
      return w.kana_family_only;
  }
  return w.kana_mismatch;
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
  // A Latin-script name (romaji-only EMRs, foreign residents) takes the kana slots when no
  // kana reading is given, or when the "kana" is itself romaji. Its parts are ordered by
  // key, since which one is the family name is not reliable across systems; blocking keys
  // then meet whatever order each source used.
  const bool kana_latin = is_latin_text(family_kana + given_kana);
  if (kana_latin ||
      (family_kana.empty() && given_kana.empty() && is_latin_text(family_kanji + given_kanji))) {
    std::string n1 = normalize_latin(kana_latin ? family_kana : family_kanji);
    std::string n2 = normalize_latin(kana_latin ? given_kana : given_kanji);
    std::string k1 = romaji_key(n1), k2 = romaji_key(n2);
    if (k2 < k1) {
      std::swap(n1, n2);
      std::swap(k1, k2);
    }
    r.kana_family = std::move(n1);
    r.kana_given = std::move(n2);
    r.key_family = std::move(k1);
    r.key_given = std::move(k2);
  }
  std::tie(r.romaji_first, r.romaji_second) = romaji_parts(r);
  if (r.romaji_second < r.romaji_first)
    std::swap(r.romaji_first, r.romaji_second);
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
  if (roman(a) || roman(b)) {
    s += romaji_score(a, b, w);
  } else if (!a_full.empty() && !b_full.empty()) {
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
  // A Latin name in the kanji field is the name the kana slots already compared; against
  // kanji it says nothing (another script), so it is not compared again.
  if (!a_kanji.empty() && !b_kanji.empty() && !is_latin_text(a_kanji) && !is_latin_text(b_kanji)) {
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
