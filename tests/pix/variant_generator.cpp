#include "tests/pix/variant_generator.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>

namespace hareyaka::pix::testing {
namespace {

// splitmix64: the same sequence on every platform (std distributions are not portable).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  int below(int n) { return static_cast<int>(next() % static_cast<std::uint64_t>(n)); }
  bool chance(double p) { return (next() >> 11) * (1.0 / 9007199254740992.0) < p; }

 private:
  std::uint64_t state_;
};

struct Family {
  const char* kanji;
  const char* variant;  // an old/variant spelling facilities also use, or ""
  const char* kana;
};

struct Given {
  const char* kanji;
  const char* kana;
  char sex;
};

const std::vector<Family> kFamilies = {
    {"佐藤", "", "サトウ"},       {"鈴木", "", "スズキ"},     {"高橋", "髙橋", "タカハシ"},
    {"田中", "", "タナカ"},       {"伊藤", "", "イトウ"},     {"渡辺", "渡邊", "ワタナベ"},
    {"山本", "", "ヤマモト"},     {"中村", "", "ナカムラ"},   {"小林", "", "コバヤシ"},
    {"加藤", "", "カトウ"},       {"吉田", "", "ヨシダ"},     {"山田", "", "ヤマダ"},
    {"佐々木", "", "ササキ"},     {"山口", "", "ヤマグチ"},   {"松本", "", "マツモト"},
    {"井上", "", "イノウエ"},     {"木村", "", "キムラ"},     {"林", "", "ハヤシ"},
    {"斎藤", "齋藤", "サイトウ"}, {"清水", "", "シミズ"},     {"山崎", "山﨑", "ヤマザキ"},
    {"森", "", "モリ"},           {"池田", "", "イケダ"},     {"橋本", "", "ハシモト"},
    {"阿部", "", "アベ"},         {"石川", "", "イシカワ"},   {"山下", "", "ヤマシタ"},
    {"中島", "中嶋", "ナカジマ"}, {"石井", "", "イシイ"},     {"小川", "", "オガワ"},
    {"前田", "", "マエダ"},       {"岡田", "", "オカダ"},     {"長谷川", "", "ハセガワ"},
    {"藤田", "", "フジタ"},       {"後藤", "", "ゴトウ"},     {"近藤", "", "コンドウ"},
    {"村上", "", "ムラカミ"},     {"遠藤", "", "エンドウ"},   {"青木", "", "アオキ"},
    {"坂本", "", "サカモト"},     {"福田", "", "フクダ"},     {"太田", "", "オオタ"},
    {"西村", "", "ニシムラ"},     {"藤井", "", "フジイ"},     {"金子", "", "カネコ"},
    {"岡本", "", "オカモト"},     {"藤原", "", "フジワラ"},   {"中野", "", "ナカノ"},
    {"三浦", "", "ミウラ"},       {"原田", "", "ハラダ"},     {"松田", "", "マツダ"},
    {"竹内", "", "タケウチ"},     {"小野", "", "オノ"},       {"中山", "", "ナカヤマ"},
    {"石田", "", "イシダ"},       {"大野", "", "オオノ"},     {"服部", "", "ハットリ"},
    {"沢田", "澤田", "サワダ"},   {"浜田", "濱田", "ハマダ"}, {"広瀬", "廣瀬", "ヒロセ"},
};

const std::vector<Given> kGivens = {
    {"洋子", "ヨウコ", 'F'},   {"恵子", "ケイコ", 'F'},     {"京子", "キョウコ", 'F'},
    {"幸子", "サチコ", 'F'},   {"裕子", "ユウコ", 'F'},     {"優子", "ユウコ", 'F'},
    {"美香", "ミカ", 'F'},     {"愛", "アイ", 'F'},         {"陽菜", "ヒナ", 'F'},
    {"結衣", "ユイ", 'F'},     {"翔子", "ショウコ", 'F'},   {"由美", "ユミ", 'F'},
    {"直美", "ナオミ", 'F'},   {"真由美", "マユミ", 'F'},   {"さくら", "サクラ", 'F'},
    {"花子", "ハナコ", 'F'},   {"久美子", "クミコ", 'F'},   {"千尋", "チヒロ", 'F'},
    {"太郎", "タロウ", 'M'},   {"一郎", "イチロウ", 'M'},   {"健太", "ケンタ", 'M'},
    {"翔太", "ショウタ", 'M'}, {"大輔", "ダイスケ", 'M'},   {"誠", "マコト", 'M'},
    {"浩", "ヒロシ", 'M'},     {"博", "ヒロシ", 'M'},       {"隆", "タカシ", 'M'},
    {"健一", "ケンイチ", 'M'}, {"雄一", "ユウイチ", 'M'},   {"翔", "ショウ", 'M'},
    {"大樹", "ダイキ", 'M'},   {"拓也", "タクヤ", 'M'},     {"直樹", "ナオキ", 'M'},
    {"修", "オサム", 'M'},     {"勇気", "ユウキ", 'M'},     {"悠斗", "ユウト", 'M'},
    {"蓮", "レン", 'M'},       {"翔平", "ショウヘイ", 'M'}, {"浩二", "コウジ", 'M'},
};

// Hepburn (wapuro: long vowels as ou/uu) of every kana above, written by hand so that the
// generator does not share the code under test.
const std::map<std::string, std::string> kRomaji = {
    {"サトウ", "satou"},
    {"スズキ", "suzuki"},
    {"タカハシ", "takahashi"},
    {"タナカ", "tanaka"},
    {"イトウ", "itou"},
    {"ワタナベ", "watanabe"},
    {"ヤマモト", "yamamoto"},
    {"ナカムラ", "nakamura"},
    {"コバヤシ", "kobayashi"},
    {"カトウ", "katou"},
    {"ヨシダ", "yoshida"},
    {"ヤマダ", "yamada"},
    {"ササキ", "sasaki"},
    {"ヤマグチ", "yamaguchi"},
    {"マツモト", "matsumoto"},
    {"イノウエ", "inoue"},
    {"キムラ", "kimura"},
    {"ハヤシ", "hayashi"},
    {"サイトウ", "saitou"},
    {"シミズ", "shimizu"},
    {"ヤマザキ", "yamazaki"},
    {"モリ", "mori"},
    {"イケダ", "ikeda"},
    {"ハシモト", "hashimoto"},
    {"アベ", "abe"},
    {"イシカワ", "ishikawa"},
    {"ヤマシタ", "yamashita"},
    {"ナカジマ", "nakajima"},
    {"イシイ", "ishii"},
    {"オガワ", "ogawa"},
    {"マエダ", "maeda"},
    {"オカダ", "okada"},
    {"ハセガワ", "hasegawa"},
    {"フジタ", "fujita"},
    {"ゴトウ", "gotou"},
    {"コンドウ", "kondou"},
    {"ムラカミ", "murakami"},
    {"エンドウ", "endou"},
    {"アオキ", "aoki"},
    {"サカモト", "sakamoto"},
    {"フクダ", "fukuda"},
    {"オオタ", "oota"},
    {"ニシムラ", "nishimura"},
    {"フジイ", "fujii"},
    {"カネコ", "kaneko"},
    {"オカモト", "okamoto"},
    {"フジワラ", "fujiwara"},
    {"ナカノ", "nakano"},
    {"ミウラ", "miura"},
    {"ハラダ", "harada"},
    {"マツダ", "matsuda"},
    {"タケウチ", "takeuchi"},
    {"オノ", "ono"},
    {"ナカヤマ", "nakayama"},
    {"イシダ", "ishida"},
    {"オオノ", "oono"},
    {"ハットリ", "hattori"},
    {"サワダ", "sawada"},
    {"ハマダ", "hamada"},
    {"ヒロセ", "hirose"},
    {"ヨウコ", "youko"},
    {"ケイコ", "keiko"},
    {"キョウコ", "kyouko"},
    {"サチコ", "sachiko"},
    {"ユウコ", "yuuko"},
    {"ミカ", "mika"},
    {"アイ", "ai"},
    {"ヒナ", "hina"},
    {"ユイ", "yui"},
    {"ショウコ", "shouko"},
    {"ユミ", "yumi"},
    {"ナオミ", "naomi"},
    {"マユミ", "mayumi"},
    {"サクラ", "sakura"},
    {"ハナコ", "hanako"},
    {"クミコ", "kumiko"},
    {"チヒロ", "chihiro"},
    {"タロウ", "tarou"},
    {"イチロウ", "ichirou"},
    {"ケンタ", "kenta"},
    {"ショウタ", "shouta"},
    {"ダイスケ", "daisuke"},
    {"マコト", "makoto"},
    {"ヒロシ", "hiroshi"},
    {"タカシ", "takashi"},
    {"ケンイチ", "ken'ichi"},
    {"ユウイチ", "yuuichi"},
    {"ショウ", "shou"},
    {"ダイキ", "daiki"},
    {"タクヤ", "takuya"},
    {"ナオキ", "naoki"},
    {"オサム", "osamu"},
    {"ユウキ", "yuuki"},
    {"ユウト", "yuuto"},
    {"レン", "ren"},
    {"ショウヘイ", "shouhei"},
    {"コウジ", "kouji"},
};

// UTF-8 <-> code points (katakana only needs the BMP).
std::u32string decode(const std::string& s) {
  std::u32string out;
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out.push_back(c);
      i += 1;
    } else if ((c >> 5) == 6) {
      out.push_back(((c & 0x1F) << 6) | (s[i + 1] & 0x3F));
      i += 2;
    } else {
      out.push_back(((c & 0x0F) << 12) | ((s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F));
      i += 3;
    }
  }
  return out;
}

std::string encode(const std::u32string& s) {
  std::string out;
  for (char32_t c : s) {
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xE0 | (c >> 12)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

const std::u32string kHalf =
    U"ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモ"
    U"ヤユヨラリルレロワン";

std::string to_halfwidth(const std::string& kana) {
  std::u32string out;
  for (char32_t c : decode(kana)) {
    char32_t base = c, mark = 0;
    const std::u32string voiced = U"ガギグゲゴザジズゼゾダヂヅデドバビブベボ";
    const std::u32string semi = U"パピプペポ";
    if (voiced.find(c) != std::u32string::npos)
      base = c - 1, mark = 0xFF9E;
    if (semi.find(c) != std::u32string::npos)
      base = c - 2, mark = 0xFF9F;
    auto pos = kHalf.find(base);
    if (pos == std::u32string::npos) {
      out.push_back(c);
      continue;
    }
    out.push_back(0xFF66 + static_cast<char32_t>(pos));
    if (mark)
      out.push_back(mark);
  }
  return encode(out);
}

std::string to_hiragana(const std::string& kana) {
  std::u32string s = decode(kana);
  for (char32_t& c : s) {
    if (c >= 0x30A1 && c <= 0x30F6)
      c -= 0x60;
  }
  return encode(s);
}

// オウ → オー (ヨウコ → ヨーコ, サトウ → サトー).
std::string long_vowel_mark(const std::string& kana) {
  std::u32string s = decode(kana);
  const std::u32string o_row = U"オコゴソゾトドノホボポモヨョロ";
  for (std::size_t i = 1; i < s.size(); ++i) {
    if (s[i] == U'ウ' && o_row.find(s[i - 1]) != std::u32string::npos)
      s[i] = U'ー';
  }
  return encode(s);
}

std::string enlarge_small(const std::string& kana) {
  std::u32string s = decode(kana);
  for (char32_t& c : s) {
    if (c == U'ョ' || c == U'ャ' || c == U'ュ' || c == U'ッ')
      c += 1;
  }
  return encode(s);
}

std::string vary_kana(Rng& rng, std::string kana) {
  if (rng.chance(0.25))
    kana = long_vowel_mark(kana);
  if (rng.chance(0.10))
    kana = enlarge_small(kana);
  if (rng.chance(0.30)) {
    kana = to_halfwidth(kana);
  } else if (rng.chance(0.10)) {
    kana = to_hiragana(kana);
  }
  return kana;
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (std::size_t p = 0; (p = s.find(from, p)) != std::string::npos; p += to.size())
    s.replace(p, from.size(), to);
}

// One romanisation of a wapuro-Hepburn name, as some system would write it.
std::string romanise(Rng& rng, std::string r) {
  const int style = rng.below(20);
  if (style < 9) {  // passport Hepburn: long vowels dropped, sometimes "oh"
    const bool oh = rng.chance(0.2);
    for (std::size_t p = 0; (p = r.find("ou")) != std::string::npos;)
      r.replace(p, 2, oh && (p + 2 == r.size()) ? "oh" : "o");
    replace_all(r, "uu", "u");
  } else if (style < 12) {  // macrons
    replace_all(r, "ou", "\xC5\x8D");
    replace_all(r, "uu", "\xC5\xAB");
  } else if (style < 15) {  // kunrei
    replace_all(r, "shi", "si");
    replace_all(r, "sh", "sy");
    replace_all(r, "chi", "ti");
    replace_all(r, "tsu", "tu");
    replace_all(r, "fu", "hu");
    replace_all(r, "ji", "zi");
  }  // else wapuro as is
  if (rng.chance(0.5))
    replace_all(r, "'", "");
  const int letter_case = rng.below(10);
  if (letter_case < 5) {
    for (char& c : r)
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    replace_all(r, "\xC5\x8D", "\xC5\x8C");  // Ō
    replace_all(r, "\xC5\xAB", "\xC5\xAA");  // Ū
  } else if (letter_case < 9) {
    r[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(r[0])));
  }
  return r;
}

// A romaji-only record: the kanji and kana fields are replaced by one Latin name.
void to_romaji(Rng& rng, Demographics& d, const std::string& family_kana,
               const std::string& given_kana) {
  std::string family = romanise(rng, kRomaji.at(family_kana));
  std::string given = romanise(rng, kRomaji.at(given_kana));
  d.family_kana.clear();
  d.given_kana.clear();
  const int layout = rng.below(10);
  if (layout < 6) {
    d.family_kanji = family, d.given_kanji = given;
  } else if (layout < 8) {  // given name in the family field and the other way round
    d.family_kanji = given, d.given_kanji = family;
  } else if (layout < 9) {  // one field, "Given FAMILY"
    d.family_kanji = given + " " + family, d.given_kanji.clear();
  } else {  // one field, "FAMILY Given"
    d.family_kanji = family + " " + given, d.given_kanji.clear();
  }
}

struct Base {
  int family, given;
  char sex;
  std::string birth, postal, phone;
};

std::string digits(Rng& rng, int n) {
  std::string s;
  for (int i = 0; i < n; ++i)
    s.push_back(static_cast<char>('0' + rng.below(10)));
  return s;
}

Base random_base(Rng& rng) {
  Base b;
  b.family = rng.below(static_cast<int>(kFamilies.size()));
  b.given = rng.below(static_cast<int>(kGivens.size()));
  b.sex = kGivens[b.given].sex;
  const int year = 1925 + rng.below(95), month = 1 + rng.below(12), day = 1 + rng.below(28);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d%02d%02d", year, month, day);
  b.birth = buf;
  b.postal = "7" + digits(rng, 6);
  b.phone = "086" + digits(rng, 7);
  return b;
}

Demographics render(Rng& rng, const Base& b, double latin_rate) {
  const Family& f = kFamilies[b.family];
  const Given& g = kGivens[b.given];
  Demographics d;
  d.family_kanji = f.variant[0] && rng.chance(0.4) ? f.variant : f.kanji;
  d.given_kanji = g.kanji;
  d.family_kana = vary_kana(rng, f.kana);
  d.given_kana = vary_kana(rng, g.kana);
  if (rng.chance(0.02)) {  // whole name in one field, no space
    d.family_kanji += d.given_kanji;
    d.given_kanji.clear();
    d.family_kana += d.given_kana;
    d.given_kana.clear();
  } else if (rng.chance(0.08)) {  // whole name in one field
    d.family_kanji += rng.chance(0.5) ? " " : "　";
    d.family_kanji += d.given_kanji;
    d.given_kanji.clear();
    d.family_kana += " " + d.given_kana;
    d.given_kana.clear();
  }
  d.sex = b.sex;
  d.birth_date = b.birth;
  if (rng.chance(0.005)) {  // a typo in one digit of the day
    d.birth_date[7] = static_cast<char>('0' + (d.birth_date[7] - '0' + 1 + rng.below(8)) % 10);
  }
  if (!rng.chance(0.02)) {
    const int style = rng.below(3);
    d.postal_code = style == 0   ? b.postal
                    : style == 1 ? b.postal.substr(0, 3) + "-" + b.postal.substr(3)
                                 : "〒" + b.postal.substr(0, 3) + "-" + b.postal.substr(3);
  }
  if (!rng.chance(0.05)) {
    const int style = rng.below(3);
    d.phone =
        style == 0 ? b.phone
        : style == 1
            ? b.phone.substr(0, 3) + "-" + b.phone.substr(3, 3) + "-" + b.phone.substr(6)
            : "+81-" + b.phone.substr(1, 2) + "-" + b.phone.substr(3, 3) + "-" + b.phone.substr(6);
  }
  d.address = "岡山県岡山市";
  if (latin_rate > 0 && rng.chance(latin_rate))
    to_romaji(rng, d, f.kana, g.kana);
  return d;
}

}  // namespace

std::vector<GeneratedRecord> generate_records(const GeneratorSettings& s) {
  Rng rng(s.seed);
  std::vector<Base> bases;
  for (int i = 0; i < s.persons; ++i) {
    Base b = random_base(rng);
    if (!bases.empty() && rng.chance(s.twin_rate)) {
      // A twin: same family, birth date, home and phone; another given name.
      b = bases.back();
      int g = b.given;
      while (g == b.given || kGivens[g].kana == kGivens[b.given].kana) {
        g = rng.below(static_cast<int>(kGivens.size()));
      }
      b.given = g;
      b.sex = kGivens[g].sex;
    } else if (!bases.empty() && rng.chance(s.namesake_rate)) {
      // A namesake born the same day, living elsewhere.
      const Base& other = bases[rng.below(static_cast<int>(bases.size()))];
      b.family = other.family;
      b.given = other.given;
      b.sex = other.sex;
      b.birth = other.birth;
    }
    bases.push_back(b);
  }
  std::vector<GeneratedRecord> out;
  for (int p = 0; p < s.persons; ++p) {
    Base b = bases[p];
    const int count = 1 + rng.below(3);
    std::vector<int> facilities;
    while (static_cast<int>(facilities.size()) < count) {
      int f = rng.below(s.facilities);
      if (std::find(facilities.begin(), facilities.end(), f) == facilities.end()) {
        facilities.push_back(f);
      }
    }
    for (int f : facilities) {
      Base at = b;
      GeneratedRecord r;
      if (rng.chance(0.03)) {  // moved since this facility last saw them
        at.postal = "7" + digits(rng, 6);
        at.phone = "086" + digits(rng, 7);
        r.moved = true;
      }
      r.key = {"1.2.392.200284.33." + std::to_string(f + 1),
               "P" + std::to_string(p) + "-" + digits(rng, 4)};
      r.demographics = render(rng, at, s.latin_rate);
      r.truth = p;
      out.push_back(std::move(r));
    }
  }
  // Feed order: shuffled, as facilities register patients independently.
  for (std::size_t i = out.size(); i > 1; --i)
    std::swap(out[i - 1], out[rng.below(static_cast<int>(i))]);
  return out;
}

}  // namespace hareyaka::pix::testing
