#include "pix/japanese_name.hpp"

#include <array>
#include <unordered_map>
#include <vector>

namespace hareyaka::pix {
namespace {

// --- UTF-8 ---------------------------------------------------------------------------

std::u32string decode(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    char32_t cp;
    int n;
    if (c < 0x80) {
      cp = c, n = 1;
    } else if ((c >> 5) == 0x6) {
      cp = c & 0x1F, n = 2;
    } else if ((c >> 4) == 0xE) {
      cp = c & 0x0F, n = 3;
    } else if ((c >> 3) == 0x1E) {
      cp = c & 0x07, n = 4;
    } else {
      ++i;  // stray byte: skipped (names come from parsed XML, so this is defensive)
      continue;
    }
    if (i + n > s.size())
      break;
    bool ok = true;
    for (int k = 1; k < n; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc >> 6) != 0x2)
        ok = false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    i += ok ? n : 1;
    if (ok)
      out.push_back(cp);
  }
  return out;
}

void encode(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string encode(const std::u32string& s) {
  std::string out;
  out.reserve(s.size() * 3);
  for (char32_t c : s)
    encode(c, out);
  return out;
}

// --- tables --------------------------------------------------------------------------

constexpr char32_t kLongVowel = U'ー';

// Half-width katakana U+FF66..U+FF9D in order.
const std::u32string& halfwidth_table() {
  static const std::u32string t =
      U"ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメ"
      U"モヤユヨラリルレロワン";
  return t;
}

bool is_katakana(char32_t c) {
  return c >= 0x30A1 && c <= 0x30FA;
}
bool is_hiragana(char32_t c) {
  return c >= 0x3041 && c <= 0x3096;
}

// Kana that take a dakuten as code point + 1 (and ハ行 a handakuten as + 2).
bool takes_dakuten(char32_t c) {
  static const std::u32string s = U"カキクケコサシスセソタチツテトハヒフヘホ";
  return s.find(c) != std::u32string::npos;
}
bool takes_handakuten(char32_t c) {
  return c == U'ハ' || c == U'ヒ' || c == U'フ' || c == U'ヘ' || c == U'ホ';
}

bool is_space_like(char32_t c) {
  return c == U' ' || c == U'\t' || c == 0x3000 || c == U'・' || c == 0xFF65 || c == U'\n' ||
         c == U'\r' || c == 0x00A0;
}

bool is_dash_like(char32_t c) {
  return c == U'-' || c == 0x2010 || c == 0x2011 || c == 0x2012 || c == 0x2013 || c == 0x2014 ||
         c == 0x2015 || c == 0x2212 || c == 0xFF0D || c == 0xFF70 || c == 0x301C || c == 0xFF5E;
}

const std::unordered_map<char32_t, char32_t>& kanji_variants() {
  static const std::unordered_map<char32_t, char32_t> m = [] {
    // Pairs "variant, canonical". The canonical side is the common (常用) form.
    const std::u32string pairs =
        U"髙高﨑崎嵜崎碕崎邊辺邉辺齋斉齊斉斎斉澤沢濱浜濵浜廣広國国櫻桜眞真瀨瀬德徳惠恵壽寿藏蔵龍竜"
        U"嶋島嶌島冨富槇槙桒桑黑黒舘館關関實実榮栄淺浅條条傳伝萬万與与曾曽增増彌弥圓円會会學学"
        U"縣県驛駅鐵鉄靜静渕淵栁柳莊荘晉晋禮礼淸清靑青";
    std::unordered_map<char32_t, char32_t> out;
    for (std::size_t i = 0; i + 1 < pairs.size(); i += 2)
      out[pairs[i]] = pairs[i + 1];
    return out;
  }();
  return m;
}

char32_t vowel_of(char32_t c) {
  static const std::array<std::pair<char32_t, std::u32string>, 5> rows = {{
      {U'ア', U"アカガサザタダナハバパマヤャラワァ"},
      {U'イ', U"イキギシジチヂニヒビピミリィ"},
      {U'ウ', U"ウクグスズツヅヌフブプムユュルゥヴ"},
      {U'エ', U"エケゲセゼテデネヘベペメレェ"},
      {U'オ', U"オコゴソゾトドノホボポモヨョロヲォ"},
  }};
  for (const auto& [vowel, members] : rows) {
    if (members.find(c) != std::u32string::npos)
      return vowel;
  }
  return 0;
}

// The common pipeline: width folding, hiragana → katakana, voiced marks composed, spaces
// and middle dots removed, dashes after kana read as the long-vowel mark, Latin upper-cased.
std::u32string canonical(std::string_view in, bool fold_kanji) {
  const std::u32string s = decode(in);
  std::u32string out;
  out.reserve(s.size());
  const auto& half = halfwidth_table();
  for (char32_t c : s) {
    if (is_space_like(c))
      continue;
    if (c >= 0xFF01 && c <= 0xFF5E && c != 0xFF0D && c != 0xFF5E)
      c = c - 0xFF01 + 0x21;  // full-width ASCII
    if (c >= 0xFF66 && c <= 0xFF9D)
      c = half[c - 0xFF66];
    if (is_hiragana(c) || c == 0x309D || c == 0x309E)
      c += 0x60;
    // Voiced marks: half-width, spacing and combining forms compose with the kana before.
    if (c == 0xFF9E || c == 0x309B || c == 0x3099) {
      if (!out.empty() && takes_dakuten(out.back())) {
        out.back() += 1;
      } else if (!out.empty() && out.back() == U'ウ') {
        out.back() = U'ヴ';
      }
      continue;
    }
    if (c == 0xFF9F || c == 0x309C || c == 0x309A) {
      if (!out.empty() && takes_handakuten(out.back()))
        out.back() += 2;
      continue;
    }
    if (is_dash_like(c)) {
      if (!out.empty() && is_katakana(out.back())) {
        out.push_back(kLongVowel);
      } else if (c == U'-' || c == 0xFF0D) {
        out.push_back(U'-');
      }
      continue;
    }
    if (c >= U'a' && c <= U'z')
      c = c - U'a' + U'A';
    if (fold_kanji) {
      const auto& v = kanji_variants();
      if (auto it = v.find(c); it != v.end())
        c = it->second;
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::string normalize_kana(std::string_view s) {
  return encode(canonical(s, false));
}

std::string normalize_kanji(std::string_view s) {
  return encode(canonical(s, true));
}

std::string kana_key(std::string_view s) {
  static const std::unordered_map<char32_t, char32_t> fold = [] {
    std::unordered_map<char32_t, char32_t> m;
    // Small kana written large.
    const std::u32string small = U"ァアィイゥウェエォオッツャヤュユョヨヮワヵカヶケ";
    for (std::size_t i = 0; i + 1 < small.size(); i += 2)
      m[small[i]] = small[i + 1];
    // ヂ/ヅ are read as ジ/ズ; then every voiced kana loses its mark.
    const std::u32string voiced = U"カキクケコサシスセソタチツテトハヒフヘホ";
    for (char32_t base : voiced)
      m[base + 1] = base;
    for (char32_t base : std::u32string(U"ハヒフヘホ"))
      m[base + 2] = base;
    m[U'ヂ'] = U'シ';
    m[U'ヅ'] = U'ス';
    m[U'ヴ'] = U'ウ';
    m[U'ヲ'] = U'オ';
    m[U'ヰ'] = U'イ';
    m[U'ヱ'] = U'エ';
    return m;
  }();
  std::u32string c = canonical(s, true);
  std::u32string out;
  out.reserve(c.size());
  for (char32_t ch : c) {
    char32_t prev_vowel = out.empty() ? 0 : vowel_of(out.back());
    if (auto it = fold.find(ch); it != fold.end())
      ch = it->second;
    if (ch == kLongVowel) {
      // ヨーコ reads ヨオコ; a mark after ン or ッ adds nothing.
      if (prev_vowel)
        out.push_back(prev_vowel);
      continue;
    }
    // オウ and オオ, エイ and エエ are the same long vowel in names (ヨウコ/ヨーコ, ケイ/ケー).
    if (ch == U'ウ' && prev_vowel == U'オ')
      ch = U'オ';
    if (ch == U'イ' && prev_vowel == U'エ')
      ch = U'エ';
    out.push_back(ch);
  }
  return encode(out);
}

bool is_kana_text(std::string_view s) {
  bool any = false;
  for (char32_t c : canonical(s, false)) {
    if (is_katakana(c) || c == kLongVowel || c == 0x30FD || c == 0x30FE) {
      any = true;
      continue;
    }
    return false;
  }
  return any;
}

std::string digits_only(std::string_view s) {
  std::string out;
  for (char32_t c : decode(s)) {
    if (c >= U'0' && c <= U'9')
      out.push_back(static_cast<char>(c));
    if (c >= 0xFF10 && c <= 0xFF19)
      out.push_back(static_cast<char>('0' + (c - 0xFF10)));
  }
  return out;
}

}  // namespace hareyaka::pix
