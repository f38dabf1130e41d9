#include "gateway/dicom/charset.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcelem.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcspchrs.h>
#include <iconv.h>

#include <map>
#include <vector>

namespace hareyaka::gateway::dicom {
namespace {

enum class G0 { kAscii, kRomaji, kJisX0208, kJisX0212 };
enum class G1 { kNone, kKatakana, kKsX1001, kGb2312, kSingleByte };

struct State {
  G0 g0 = G0::kAscii;
  G1 g1 = G1::kNone;
  const char* single_byte = nullptr;  // iconv name for G1 = kSingleByte
};

void append_utf8(std::string& out, char32_t cp) {
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

constexpr char32_t kReplacement = 0xFFFD;

// The ISO 8859 part (and its iconv name) a defined term or G1 escape final byte selects.
const char* single_byte_for_term(std::string_view term) {
  static const std::map<std::string_view, const char*> k = {
      {"ISO 2022 IR 100", "ISO-8859-1"}, {"ISO 2022 IR 101", "ISO-8859-2"},
      {"ISO 2022 IR 109", "ISO-8859-3"}, {"ISO 2022 IR 110", "ISO-8859-4"},
      {"ISO 2022 IR 144", "ISO-8859-5"}, {"ISO 2022 IR 127", "ISO-8859-6"},
      {"ISO 2022 IR 126", "ISO-8859-7"}, {"ISO 2022 IR 138", "ISO-8859-8"},
      {"ISO 2022 IR 148", "ISO-8859-9"}, {"ISO 2022 IR 166", "TIS-620"},
  };
  auto it = k.find(term);
  return it == k.end() ? nullptr : it->second;
}

const char* single_byte_for_final(char f) {
  switch (f) {
    case 'A':
      return "ISO-8859-1";
    case 'B':
      return "ISO-8859-2";
    case 'C':
      return "ISO-8859-3";
    case 'D':
      return "ISO-8859-4";
    case 'L':
      return "ISO-8859-5";
    case 'G':
      return "ISO-8859-6";
    case 'F':
      return "ISO-8859-7";
    case 'H':
      return "ISO-8859-8";
    case 'M':
      return "ISO-8859-9";
    case 'T':
      return "TIS-620";
    default:
      return nullptr;
  }
}

std::vector<std::string> split_terms(std::string_view s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    std::size_t i = s.find('\\', start);
    std::string t(s.substr(start, i == std::string_view::npos ? i : i - start));
    while (!t.empty() && t.back() == ' ')
      t.pop_back();
    while (!t.empty() && t.front() == ' ')
      t.erase(t.begin());
    out.push_back(t);
    if (i == std::string_view::npos)
      return out;
    start = i + 1;
  }
}

}  // namespace

struct TextDecoder::Impl {
  bool iso2022 = false;
  bool identity = false;
  bool dcmtk_ready = false;
  State initial;
  mutable DcmSpecificCharacterSet dcmtk;
  mutable std::map<std::string, iconv_t> iconvs;

  ~Impl() {
    for (auto& [name, cd] : iconvs)
      if (cd != reinterpret_cast<iconv_t>(-1))
        iconv_close(cd);
  }

  // Decodes one multi-byte character (or a single byte) with glibc iconv.
  void decode(std::string& out, const char* charset, const unsigned char* bytes,
              std::size_t n) const {
    auto it = iconvs.find(charset);
    if (it == iconvs.end())
      it = iconvs.emplace(charset, iconv_open("UTF-8", charset)).first;
    iconv_t cd = it->second;
    if (cd == reinterpret_cast<iconv_t>(-1))
      return append_utf8(out, kReplacement);
    char in_buf[4];
    std::memcpy(in_buf, bytes, n);
    char out_buf[16];
    char* in = in_buf;
    char* o = out_buf;
    std::size_t in_left = n, out_left = sizeof out_buf;
    iconv(cd, nullptr, nullptr, nullptr, nullptr);
    if (iconv(cd, &in, &in_left, &o, &out_left) == static_cast<std::size_t>(-1) || in_left != 0)
      return append_utf8(out, kReplacement);
    out.append(out_buf, o);
  }

  std::string iso2022_to_utf8(std::string_view raw, bool pn) const {
    std::string out;
    State st = initial;
    const auto* p = reinterpret_cast<const unsigned char*>(raw.data());
    const std::size_t n = raw.size();
    for (std::size_t i = 0; i < n;) {
      unsigned char b = p[i];
      if (b == 0x1B) {
        auto at = [&](std::size_t k) { return i + k < n ? static_cast<char>(p[i + k]) : '\0'; };
        std::size_t len = 0;
        if (at(1) == '(' && at(2) == 'B')
          st.g0 = G0::kAscii, len = 3;
        else if (at(1) == '(' && at(2) == 'J')
          st.g0 = G0::kRomaji, len = 3;
        else if (at(1) == ')' && at(2) == 'I')
          st.g1 = G1::kKatakana, len = 3;
        else if (at(1) == '$' && at(2) == 'B')
          st.g0 = G0::kJisX0208, len = 3;
        else if (at(1) == '$' && at(2) == '@')
          st.g0 = G0::kJisX0208, len = 3;
        else if (at(1) == '$' && at(2) == '(' && at(3) == 'D')
          st.g0 = G0::kJisX0212, len = 4;
        else if (at(1) == '$' && at(2) == ')' && at(3) == 'C')
          st.g1 = G1::kKsX1001, len = 4;
        else if (at(1) == '$' && at(2) == ')' && at(3) == 'A')
          st.g1 = G1::kGb2312, len = 4;
        else if (at(1) == '-' && single_byte_for_final(at(2)))
          st.g1 = G1::kSingleByte, st.single_byte = single_byte_for_final(at(2)), len = 3;
        if (len == 0) {  // unknown escape: drop the ESC, keep going
          append_utf8(out, kReplacement);
          ++i;
        } else {
          i += len;
        }
        continue;
      }
      if (b < 0x80) {
        if (st.g0 == G0::kJisX0208 || st.g0 == G0::kJisX0212) {
          if (b == '\r' || b == '\n' || i + 1 >= n) {  // a line end restores ASCII
            st = initial;
            out.push_back(static_cast<char>(b));
            ++i;
            continue;
          }
          if (st.g0 == G0::kJisX0208) {
            unsigned char euc[2] = {static_cast<unsigned char>(b | 0x80),
                                    static_cast<unsigned char>(p[i + 1] | 0x80)};
            decode(out, "EUC-JP", euc, 2);
          } else {
            unsigned char euc[3] = {0x8F, static_cast<unsigned char>(b | 0x80),
                                    static_cast<unsigned char>(p[i + 1] | 0x80)};
            decode(out, "EUC-JP", euc, 3);
          }
          i += 2;
          continue;
        }
        out.push_back(static_cast<char>(b));  // ASCII and JIS X 0201 romaji alike
        if (b == '\\' || b == '\r' || b == '\n' || (pn && (b == '^' || b == '=')))
          st = initial;
        ++i;
        continue;
      }
      switch (st.g1) {
        case G1::kKatakana:
          append_utf8(out, (b >= 0xA1 && b <= 0xDF) ? char32_t{0xFF61} + (b - 0xA1) : kReplacement);
          ++i;
          break;
        case G1::kKsX1001:
        case G1::kGb2312:
          if (i + 1 < n) {
            decode(out, st.g1 == G1::kKsX1001 ? "EUC-KR" : "GB2312", p + i, 2);
            i += 2;
          } else {
            append_utf8(out, kReplacement);
            ++i;
          }
          break;
        case G1::kSingleByte:
          decode(out, st.single_byte, p + i, 1);
          ++i;
          break;
        case G1::kNone:
          append_utf8(out, kReplacement);
          ++i;
          break;
      }
    }
    return out;
  }
};

TextDecoder::TextDecoder(std::string_view specific_character_set)
    : impl_(std::make_unique<Impl>()) {
  auto terms = split_terms(specific_character_set);
  bool any_2022 = false;
  for (const auto& t : terms)
    any_2022 = any_2022 || t.rfind("ISO 2022", 0) == 0;
  if (any_2022) {
    impl_->iso2022 = true;
    const std::string& first = terms.front();
    if (first == "ISO 2022 IR 13") {
      impl_->initial.g0 = G0::kRomaji;
      impl_->initial.g1 = G1::kKatakana;
    } else if (first == "ISO 2022 IR 149") {
      impl_->initial.g1 = G1::kKsX1001;
    } else if (first == "ISO 2022 IR 58") {
      impl_->initial.g1 = G1::kGb2312;
    } else if (const char* sb = single_byte_for_term(first)) {
      impl_->initial.g1 = G1::kSingleByte;
      impl_->initial.single_byte = sb;
    }
    return;
  }
  std::string first = terms.empty() ? std::string() : terms.front();
  if (terms.size() <= 1 && (first.empty() || first == "ISO_IR 6" || first == "ISO_IR 192")) {
    impl_->identity = true;
    return;
  }
  impl_->dcmtk_ready =
      impl_->dcmtk
          .selectCharacterSet(
              OFString(specific_character_set.data(), specific_character_set.size()), "ISO_IR 192")
          .good();
}

TextDecoder::~TextDecoder() = default;

namespace {

// Length of the well-formed UTF-8 sequence at s[i] (RFC 3629: no overlongs, no surrogates,
// nothing above U+10FFFF), 0 if there is none.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const auto cont = [&](std::size_t k) { return i + k < s.size() && (b(k) & 0xC0) == 0x80; };
  const unsigned char c = b(0);
  if (c < 0x80)
    return 1;
  if (c >= 0xC2 && c <= 0xDF)
    return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2) || (c == 0xE0 && b(1) < 0xA0) || (c == 0xED && b(1) > 0x9F))
      return 0;
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3) || (c == 0xF0 && b(1) < 0x90) ||
        (c == 0xF4 && b(1) > 0x8F))
      return 0;
    return 4;
  }
  return 0;
}

// Whatever a file declares, the index and the JSON answers hold valid UTF-8: a byte that
// does not start a well-formed sequence becomes U+FFFD.
std::string valid_utf8(std::string s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t n = utf8_sequence(s, i);
    if (n == 0)
      break;
    i += n;
  }
  if (i == s.size())
    return s;
  std::string out = s.substr(0, i);
  while (i < s.size()) {
    const std::size_t n = utf8_sequence(s, i);
    if (n == 0) {
      append_utf8(out, kReplacement);
      ++i;
    } else {
      out.append(s, i, n);
      i += n;
    }
  }
  return out;
}

}  // namespace

std::string TextDecoder::to_utf8(std::string_view raw, bool pn) const {
  if (raw.empty())
    return {};
  if (impl_->identity)
    return valid_utf8(std::string(raw));
  if (impl_->iso2022)
    return valid_utf8(impl_->iso2022_to_utf8(raw, pn));
  if (!impl_->dcmtk_ready)
    return valid_utf8(std::string(raw));
  OFString out;
  if (impl_->dcmtk.convertString(OFString(raw.data(), raw.size()), out, pn ? "\\^=" : "\\").bad())
    return valid_utf8(std::string(raw));
  return valid_utf8(std::string(out.c_str(), out.length()));
}

namespace {

bool is_text_vr(DcmEVR vr) {
  return vr == EVR_PN || vr == EVR_LO || vr == EVR_SH || vr == EVR_ST || vr == EVR_LT ||
         vr == EVR_UT || vr == EVR_UC;
}

void convert_item(DcmItem& item, const std::string& inherited) {
  OFString own;
  std::string charset = inherited;
  if (item.findAndGetOFStringArray(DCM_SpecificCharacterSet, own, OFFalse).good())
    charset = own.c_str();
  TextDecoder decoder(charset);
  for (unsigned long i = 0; i < item.card(); ++i) {
    DcmElement* e = item.getElement(i);
    if (e == nullptr)
      continue;
    DcmEVR vr = e->ident();
    if (vr == EVR_SQ) {
      auto* seq = static_cast<DcmSequenceOfItems*>(e);
      for (unsigned long j = 0; j < seq->card(); ++j)
        convert_item(*seq->getItem(j), charset);
    } else if (is_text_vr(vr)) {
      OFString raw;
      if (e->getOFStringArray(raw).good() && !raw.empty()) {
        std::string utf8 =
            decoder.to_utf8(std::string_view(raw.c_str(), raw.length()), vr == EVR_PN);
        e->putOFStringArray(OFString(utf8.data(), utf8.size()));
      }
    }
  }
  if (item.tagExists(DCM_SpecificCharacterSet, OFFalse))
    item.putAndInsertString(DCM_SpecificCharacterSet, "ISO_IR 192");
}

}  // namespace

void dataset_to_utf8(DcmItem& dataset) {
  convert_item(dataset, "");
  dataset.putAndInsertString(DCM_SpecificCharacterSet, "ISO_IR 192");
}

}  // namespace hareyaka::gateway::dicom
