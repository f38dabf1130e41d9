#include "gateway/hosted/registration.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

#include "common/error.hpp"
#include "gateway/storage/scanner.hpp"
#include "proto/hl7v2/charset.hpp"
#include "proto/hl7v2/escape.hpp"
#include "proto/ssmix2/file_name.hpp"
#include "proto/ssmix2/storage_path.hpp"

namespace hareyaka::gateway::hosted {
namespace {

std::string esc(const std::string& v) {
  return hl7v2::escape(v, hl7v2::Separators{});
}

std::string compact(const std::string& iso) {
  std::string out;
  for (char c : iso) {
    if (c != '-')
      out += c;
  }
  return out;
}

// Characters a Shift_JIS (CP932) file brings that ISO-2022-JP (JIS X 0208) writes otherwise:
// CP932's own mappings of a few symbols, and half-width katakana (none in JIS X 0208), made
// full-width with their voiced marks joined.
std::string jis_safe(const std::string& utf8) {
  static constexpr const char32_t* kFullWidth[] = {
      U"。", U"「", U"」", U"、", U"・", U"ヲ", U"ァ", U"ィ", U"ゥ", U"ェ", U"ォ", U"ャ", U"ュ",
      U"ョ", U"ッ", U"ー", U"ア", U"イ", U"ウ", U"エ", U"オ", U"カ", U"キ", U"ク", U"ケ", U"コ",
      U"サ", U"シ", U"ス", U"セ", U"ソ", U"タ", U"チ", U"ツ", U"テ", U"ト", U"ナ", U"ニ", U"ヌ",
      U"ネ", U"ノ", U"ハ", U"ヒ", U"フ", U"ヘ", U"ホ", U"マ", U"ミ", U"ム", U"メ", U"モ", U"ヤ",
      U"ユ", U"ヨ", U"ラ", U"リ", U"ル", U"レ", U"ロ", U"ワ", U"ン", U"゛", U"゜"};
  std::u32string in;
  for (std::size_t i = 0; i < utf8.size();) {
    const unsigned char c = static_cast<unsigned char>(utf8[i]);
    const int n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    char32_t cp = n == 1 ? c : c & (0xFF >> (n + 1));
    for (int k = 1; k < n && i + k < utf8.size(); ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3F);
    i += static_cast<std::size_t>(n);
    switch (cp) {
      case 0xFF0D:
        cp = 0x2212;
        break;  // －
      case 0xFF5E:
        cp = 0x301C;
        break;  // ～
      case 0x2225:
        cp = 0x2016;
        break;  // ∥
      case 0xFFE0:
        cp = 0x00A2;
        break;
      case 0xFFE1:
        cp = 0x00A3;
        break;
      case 0xFFE2:
        cp = 0x00AC;
        break;
      default:
        break;
    }
    if (cp >= 0xFF61 && cp <= 0xFF9F) {
      char32_t full = kFullWidth[cp - 0xFF61][0];
      // ﾞ (U+FF9E) and ﾟ (U+FF9F) after a kana that takes them join it.
      if ((cp == 0xFF9E || cp == 0xFF9F) && !in.empty()) {
        char32_t& prev = in.back();
        const bool kst = (prev >= U'カ' && prev <= U'チ' && (prev - U'カ') % 2 == 0) ||
                         (prev >= U'ツ' && prev <= U'ト' && (prev - U'ツ') % 2 == 0);
        const bool h = prev >= U'ハ' && prev <= U'ホ' && (prev - U'ハ') % 3 == 0;
        if (cp == 0xFF9E && (kst || h)) {
          prev += 1;
          continue;
        }
        if (cp == 0xFF9F && h) {
          prev += 2;
          continue;
        }
        if (cp == 0xFF9E && prev == U'ウ') {
          prev = U'ヴ';
          continue;
        }
      }
      cp = full;
    }
    in.push_back(cp);
  }
  std::string out;
  for (char32_t cp : in) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  return out;
}

}  // namespace

void split_name(const std::string& full, std::string& family, std::string& given) {
  static const std::string kIdeographicSpace = "\xE3\x80\x80";
  std::size_t at = full.find(' ');
  std::size_t width = 1;
  const std::size_t wide = full.find(kIdeographicSpace);
  if (wide != std::string::npos && (at == std::string::npos || wide < at)) {
    at = wide;
    width = kIdeographicSpace.size();
  }
  family = at == std::string::npos ? full : full.substr(0, at);
  given = at == std::string::npos ? "" : full.substr(at + width);
}

std::uint64_t ssmix2_timestamp_now() {
  const auto now = std::chrono::system_clock::now() + std::chrono::hours(9);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t s = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d%02d%02d%02d%02d%02d%03d", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return std::stoull(buf);
}

StandardFile demographics_file(const Registration& r, const std::string& facility_oid,
                               std::uint64_t timestamp) {
  if (!ssmix2::valid_patient_id(r.patient_id))
    throw Error(ErrorCode::kUnprocessable, "the patient id must be letters and digits");
  if (r.family.empty())
    throw Error(ErrorCode::kUnprocessable, "the patient's name is missing");
  const std::string birth = compact(r.birth_date);
  if (!birth.empty() && (birth.size() != 8 || !ssmix2::valid_calendar_date(std::stoul(birth))))
    throw Error(ErrorCode::kUnprocessable, "the birth date must be a date (YYYY-MM-DD)");
  const std::string ts = std::to_string(timestamp).substr(0, 14);
  const char sex = r.sex == 'M' || r.sex == 'F' ? r.sex : 'U';
  std::string pid = "PID|0001||" + esc(r.patient_id) + "^^^^PI||" + esc(r.family) + "^" +
                    esc(r.given) + "^^^^^L^I";
  if (!r.family_kana.empty())
    pid += "~" + esc(r.family_kana) + "^" + esc(r.given_kana) + "^^^^^L^P";
  pid += "||" + birth + "|" + std::string(1, sex) + "|||";
  if (!r.postal_code.empty() || !r.address.empty())
    pid += "^^^^" + esc(r.postal_code) + "^JPN^H^" + esc(r.address);
  pid += "||";
  if (!r.phone.empty())
    pid += "^PRN^PH^^^^^^^^^" + esc(r.phone);
  const std::string message = "MSH|^~\\&|HAREYAKA-HOSTED|" + esc(facility_oid) + "|GW|RCV|" + ts +
                              "||ADT^A08^ADT_A01|" + std::to_string(timestamp) +
                              "|P|2.5||||||~ISO IR87||ISO 2022-1994|"
                              "SS-MIX2_1.20^SS-MIX2^1.2.392.200250.2.1.100.1.2.120^ISO\r"
                              "EVN||" +
                              ts + "\r" + pid + "\rPV1|0001|O\r";
  auto jis = hl7v2::utf8_to_iso2022jp(jis_safe(message));
  if (!jis)
    throw Error(ErrorCode::kUnprocessable,
                "the demographics hold characters that ISO-2022-JP cannot write");
  ssmix2::FileName name;
  name.patient_id = r.patient_id;
  name.data_type_code = "ADT-00";
  name.type = ssmix2::DataType::kAdt00;
  name.order_no = "999999999999999";
  name.timestamp = timestamp;
  name.department = "-";
  StandardFile f{ssmix2::standard_relative_path(name), *jis};
  const auto verdict = storage::judge_standard(f.path, f.bytes, true);
  if (!verdict.usable)
    throw Error(ErrorCode::kInternal, "cannot register the patient",
                "the ADT-00 written for a registration is refused: " + verdict.reason);
  return f;
}

}  // namespace hareyaka::gateway::hosted
