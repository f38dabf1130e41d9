#include "pix/pdq_degree.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "pix/japanese_name.hpp"
#include "pix/matcher.hpp"

namespace hareyaka::pix {
namespace {

// Field weights, in the proportions of the matcher's agreement weights (pix/matcher.hpp).
constexpr double kKanaPart = 4, kKanjiPart = 2, kBirth = 6, kSex = 1, kPhone = 3;

// One name part of the query (`prefix`: it ended in '*') against the candidate's kana and
// kanji forms: 1 when equal (a prefix query: when it is a prefix), 0.85 when equal only under
// the kana key (ヨウコ / ヨーコ, small kana, voicing marks), otherwise 0.
double name_agreement(const std::string& part, bool prefix, bool is_kana, const std::string& kana,
                      const std::string& kanji) {
  auto agrees = [&](const std::string& q, const std::string& c) {
    return prefix ? c.rfind(q, 0) == 0 : c == q;
  };
  if (is_kana) {
    if (agrees(normalize_kana(part), normalize_kana(kana)))
      return 1;
    return agrees(kana_key(part), kana_key(kana)) ? 0.85 : 0;
  }
  return agrees(normalize_kanji(part), normalize_kanji(kanji)) ? 1 : 0;
}

}  // namespace

int match_degree(const SearchCriteria& q, const Demographics& c) {
  double got = 0, total = 0;
  auto name = [&](std::string part, const std::string& kana, const std::string& kanji) {
    bool prefix = false;
    while (!part.empty() && part.back() == '*')
      part.pop_back(), prefix = true;
    if (part.empty())
      return;
    const bool is_kana = is_kana_text(part);
    const double w = is_kana ? kKanaPart : kKanjiPart;
    total += w;
    got += w * name_agreement(part, prefix, is_kana, kana, kanji);
  };
  name(q.family, c.family_kana, c.family_kanji);
  name(q.given, c.given_kana, c.given_kanji);
  if (!q.birth_date.empty()) {
    total += kBirth;
    if (c.birth_date.rfind(q.birth_date, 0) == 0)
      got += kBirth;
    else if (q.birth_date.size() == 8 && near_birth_date(q.birth_date, c.birth_date))
      got += kBirth * 0.3;
  }
  if (q.sex == 'M' || q.sex == 'F') {
    total += kSex;
    got += c.sex == q.sex ? kSex : 0;
  }
  const auto phone_of = [](const std::string& raw) {
    Demographics d;
    d.phone = raw;
    return match_record(d).phone;
  };
  if (const std::string phone = phone_of(q.phone); phone.size() >= 6) {
    total += kPhone;
    got += phone_of(c.phone) == phone ? kPhone : 0;
  }
  if (total == 0)
    return 100;
  return std::clamp(static_cast<int>(std::lround(100 * got / total)), 0, 100);
}

int match_degree(const SearchCriteria& q, const std::vector<IdentityRecord>& members) {
  int best = 0;
  for (const IdentityRecord& m : members)
    best = std::max(best, match_degree(q, m.demographics));
  return best;
}

}  // namespace hareyaka::pix
