#include "pix/latin_name.hpp"

#include <array>
#include <unordered_map>

namespace hareyaka::pix {
namespace {

// Code points of a UTF-8 string; malformed bytes are skipped (names come from parsed XML).
std::u32string decode(std::string_view s) {
  std::u32string out;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const int n = c < 0x80           ? 1
                  : (c >> 5) == 0x6  ? 2
                  : (c >> 4) == 0xE  ? 3
                  : (c >> 3) == 0x1E ? 4
                                     : 0;
    if (n == 0 || i + n > s.size()) {
      ++i;
      continue;
    }
    char32_t cp = n == 1 ? c : c & (0x7F >> n);
    bool ok = true;
    for (int k = 1; k < n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      ok = ok && (cc >> 6) == 0x2;
      cp = (cp << 6) | (cc & 0x3F);
    }
    i += ok ? n : 1;
    if (ok)
      out.push_back(cp);
  }
  return out;
}

// The base letter of a Latin letter with diacritics (lower case), or 0 if not a letter.
// Covers Latin-1 Supplement and Latin Extended-A, which is what EMRs and HL7 feeds carry.
std::string_view base_letter(char32_t c) {
  if (c >= 'A' && c <= 'Z')
    c += 'a' - 'A';
  if (c >= 0xFF21 && c <= 0xFF3A)  // full-width A-Z
    c = c - 0xFF21 + 'a';
  if (c >= 0xFF41 && c <= 0xFF5A)  // full-width a-z
    c = c - 0xFF41 + 'a';
  static const std::string_view kAscii = "abcdefghijklmnopqrstuvwxyz";
  if (c >= 'a' && c <= 'z')
    return kAscii.substr(c - 'a', 1);
  // U+00C0..U+00FF, "" where not a letter.
  static const std::array<std::string_view, 64> kLatin1 = {
      "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
      "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "ss",
      "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
      "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y"};
  if (c >= 0xC0 && c <= 0xFF)
    return kLatin1[c - 0xC0];
  // U+0100..U+017F in pairs (upper, lower) except where noted.
  // U+0100..U+017F by NFD base letter; the ligatures ĳ and œ are special-cased below.
  static const std::string_view kExtA =
      "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii??jjkkkllllllllllnnnnnnnnnoooooo??"
      "rrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";
  if (c >= 0x100 && c <= 0x17F) {
    const std::size_t i = c - 0x100;
    if (c == 0x132 || c == 0x133)
      return "ij";
    if (c == 0x152 || c == 0x153)
      return "oe";
    if (i < kExtA.size())
      return kExtA.substr(i, 1);
  }
  // Vietnamese (foreign residents): ơ, ư and the tone-marked vowels of U+1EA0..U+1EF9.
  if (c == 0x1A0 || c == 0x1A1)
    return "o";
  if (c == 0x1AF || c == 0x1B0)
    return "u";
  if (c >= 0x1EA0 && c <= 0x1EF9) {
    return c <= 0x1EB7   ? "a"
           : c <= 0x1EC7 ? "e"
           : c <= 0x1ECB ? "i"
           : c <= 0x1EE3 ? "o"
           : c <= 0x1EF1 ? "u"
                         : "y";
  }
  return {};
}

bool is_separator(char32_t c) {
  return c == ' ' || c == '-' || c == '\'' || c == '.' || c == ',' || c == 0x3000 || c == 0x2019 ||
         c == 0x30FB || c == 0xFF0D || c == 0xFF0E;
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (std::size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size())
    s.replace(pos, from.size(), to);
}

bool is_vowel(char c) {
  return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

}  // namespace

bool is_latin_text(std::string_view s) {
  bool letter = false;
  for (char32_t c : decode(s)) {
    if (is_separator(c))
      continue;
    if (base_letter(c).empty())
      return false;
    letter = true;
  }
  return letter;
}

std::string normalize_latin(std::string_view s) {
  std::string out;
  for (char32_t c : decode(s)) {
    if (!is_separator(c))
      out += base_letter(c);
  }
  return out;
}

std::string romaji_key(std::string_view normalized) {
  std::string s(normalized);
  // Hepburn to one (kunrei-like) form; order matters (tch before ch, shi before sh).
  for (auto [from, to] : {std::pair{"tchi", "tti"},
                          {"tch", "tty"},
                          {"shi", "si"},
                          {"sh", "sy"},
                          {"chi", "ti"},
                          {"ch", "ty"},
                          {"tsu", "tu"},
                          {"fu", "hu"},
                          {"ji", "zi"},
                          {"j", "zy"},
                          {"di", "zi"},
                          {"du", "zu"},
                          {"wo", "o"},
                          {"mb", "nb"},
                          {"mp", "np"},
                          {"mm", "nm"},
                          {"nn", "n"}}) {
    replace_all(s, from, to);
  }
  // Long vowels: ō (already o), ou, oo, oh before a consonant or at the end, uu, aa, ee.
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (!out.empty() && is_vowel(c)) {
      const char prev = out.back();
      if (c == prev || (prev == 'o' && c == 'u'))
        continue;
    }
    if (c == 'h' && !out.empty() && out.back() == 'o' && (i + 1 == s.size() || !is_vowel(s[i + 1])))
      continue;
    out.push_back(c);
  }
  return out;
}

std::string kana_romaji(std::string_view katakana) {
  // Hepburn syllables for ァ (U+30A1) .. ヶ (U+30F6); small kana are handled below.
  static const std::unordered_map<char32_t, std::string_view> kSyllable = [] {
    const std::u32string kana =
        U"アイウエオカキクケコガギグゲゴサシスセソザジズゼゾタチツテトダヂヅデドナニヌネノ"
        U"ハヒフヘホバビブベボパピプペポマミムメモヤユヨラリルレロワヰヱヲンヴ";
    static const std::string_view romaji[] = {
        "a",  "i",   "u",  "e",  "o",  "ka", "ki", "ku", "ke", "ko", "ga", "gi",  "gu",  "ge", "go",
        "sa", "shi", "su", "se", "so", "za", "ji", "zu", "ze", "zo", "ta", "chi", "tsu", "te", "to",
        "da", "ji",  "zu", "de", "do", "na", "ni", "nu", "ne", "no", "ha", "hi",  "fu",  "he", "ho",
        "ba", "bi",  "bu", "be", "bo", "pa", "pi", "pu", "pe", "po", "ma", "mi",  "mu",  "me", "mo",
        "ya", "yu",  "yo", "ra", "ri", "ru", "re", "ro", "wa", "i",  "e",  "o",   "n",   "vu"};
    std::unordered_map<char32_t, std::string_view> m;
    for (std::size_t i = 0; i < kana.size(); ++i)
      m[kana[i]] = romaji[i];
    return m;
  }();
  static const std::unordered_map<char32_t, std::string_view> kSmall = {
      {U'ァ', "a"},  {U'ィ', "i"},  {U'ゥ', "u"},  {U'ェ', "e"}, {U'ォ', "o"},
      {U'ャ', "ya"}, {U'ュ', "yu"}, {U'ョ', "yo"}, {U'ヮ', "wa"}};
  std::string out;
  bool double_next = false;
  for (char32_t c : decode(katakana)) {
    if (c == U'ッ') {
      double_next = true;
      continue;
    }
    if (c == U'ー') {  // long vowel: the previous vowel again (romaji_key folds it)
      if (!out.empty() && is_vowel(out.back()))
        out.push_back(out.back());
      continue;
    }
    if (auto it = kSmall.find(c); it != kSmall.end()) {
      std::string_view r = it->second;
      // キャ → kya, シャ → sha (not shiya), チャ → cha, ジャ → ja; ファ → fa.
      if (!out.empty() && out.back() == 'i' && r.size() == 2 && r[0] == 'y') {
        out.pop_back();
        const bool palatal = out.size() >= 2 && (out.ends_with("sh") || out.ends_with("ch"));
        if (palatal || (!out.empty() && out.back() == 'j'))
          r.remove_prefix(1);
      } else if (!out.empty() && is_vowel(out.back()) && r.size() == 1) {
        out.pop_back();
      }
      out += r;
      continue;
    }
    auto it = kSyllable.find(c);
    if (it == kSyllable.end())
      continue;
    std::string_view r = it->second;
    if (double_next && !is_vowel(r[0]))
      out.push_back(r[0] == 'c' ? 't' : r[0]);
    double_next = false;
    out += r;
  }
  return out;
}

}  // namespace hareyaka::pix
