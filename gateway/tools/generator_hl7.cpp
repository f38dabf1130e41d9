#include "gateway/tools/generator_hl7.hpp"

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "gateway/tools/generator_data.hpp"
#include "proto/hl7v2/charset.hpp"
#include "proto/hl7v2/escape.hpp"
#include "proto/ssmix2/file_name.hpp"
#include "proto/ssmix2/storage_path.hpp"

namespace hareyaka::gateway::tools::gen {

namespace fs = std::filesystem;

std::uint64_t mix(std::uint64_t a, std::uint64_t b) {
  std::uint64_t x = a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull + (a << 6) + (a >> 2));
  x ^= x >> 31;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 29;
  return x;
}

std::string esc(std::string_view v) {
  return hl7v2::escape(v, hl7v2::Separators{});
}

Person make_person(std::uint64_t seed, std::uint64_t person_id) {
  Rng rng(mix(seed, person_id));
  Person p;
  p.person_id = person_id;
  const auto& fam = pick(rng, data::kFamily);
  p.sex = chance(rng, 0.5) ? 'M' : 'F';
  const auto& giv = p.sex == 'M' ? pick(rng, data::kMale) : pick(rng, data::kFemale);
  p.family = fam.kanji;
  p.family_kana = fam.kana;
  p.given = giv.kanji;
  p.given_kana = giv.kana;
  p.birth = static_cast<std::uint32_t>(uniform(rng, 1930, 2015) * 10000 +
                                       uniform(rng, 1, 12) * 100 + uniform(rng, 1, 28));
  const auto& place = pick(rng, data::kPlaces);
  p.postal = place.postal;
  static const char* kDigits[] = {"０", "１", "２", "３", "４", "５", "６", "７", "８", "９"};
  p.address = std::string(place.text) + kDigits[uniform(rng, 1, 9)] + "−" +
              kDigits[uniform(rng, 1, 9)] + "−" + kDigits[uniform(rng, 1, 9)];
  char phone[32];
  std::snprintf(phone, sizeof phone, "%s%02d-%04d", place.phone_prefix, uniform(rng, 0, 99),
                uniform(rng, 0, 9999));
  p.phone = phone;
  return p;
}

bool kana_variant(std::string& kana) {
  static const std::pair<const char*, const char*> kRules[] = {
      {"ユウ", "ユー"}, {"ョウ", "ヨウ"}, {"オオ", "オー"}, {"ュウ", "ユウ"},
      {"ズ", "ヅ"},     {"ジ", "ヂ"},     {"ウ", "ー"}};
  for (const auto& [from, to] : kRules) {
    auto pos = kana.find(from);
    if (pos != std::string::npos) {
      kana.replace(pos, std::string(from).size(), to);
      return true;
    }
  }
  return false;
}

std::string date_text(std::uint32_t d) {
  return ssmix2::format_date_folder(d);
}

std::uint32_t add_days(std::uint32_t d, int days) {
  std::tm tm{};
  tm.tm_year = static_cast<int>(d / 10000) - 1900;
  tm.tm_mon = static_cast<int>(d / 100 % 100) - 1;
  tm.tm_mday = static_cast<int>(d % 100) + days;
  tm.tm_hour = 12;
  timegm(&tm);
  return static_cast<std::uint32_t>((tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 +
                                    tm.tm_mday);
}

bool Writer::write(const std::string& pid, std::uint32_t date, const char* type,
                   const std::string& order_no, std::uint64_t timestamp, const std::string& dept,
                   int flag, const std::vector<std::string>& segments, std::string& error) {
  ssmix2::FileName n;
  n.patient_id = pid;
  n.date = date;
  n.data_type_code = type;
  n.order_no = order_no;
  n.timestamp = timestamp;
  n.department = dept;
  n.condition = static_cast<ssmix2::Condition>(flag);
  std::string utf8;
  for (const auto& s : segments)
    utf8 += s + "\r";
  hl7v2::CharsetError ce;
  auto jis = hl7v2::utf8_to_iso2022jp(utf8, &ce);
  if (!jis) {
    error = "text not encodable in ISO-2022-JP at byte " + std::to_string(ce.offset);
    return false;
  }
  return put(root_ + "/" + ssmix2::standard_relative_path(n), *jis, error);
}

bool Writer::write_document(const std::string& pid, std::uint32_t date,
                            const std::string& type_folder, const std::string& content_folder,
                            const std::string& file, const std::string& bytes, std::string& error) {
  if (extended_root_.empty())
    return true;
  std::string path = extended_root_ + "/" + ssmix2::patient_folder(pid) + "/" + date_text(date) +
                     "/" + type_folder + "/" + content_folder + "/" + file;
  return put(path, bytes, error);
}

bool Writer::put(const std::string& path, const std::string& bytes, std::string& error) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  if (ec) {
    error = "cannot create folder for " + path + ": " + ec.message();
    return false;
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    error = "cannot write " + path;
    return false;
  }
  files_ += 1;
  bytes_ += bytes.size();
  return true;
}

std::string ts14(std::uint64_t ts17) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%017llu", static_cast<unsigned long long>(ts17));
  return std::string(buf, 14);
}

std::uint64_t stamp(std::uint32_t date, Context& c) {
  return static_cast<std::uint64_t>(date) * 1000000000ull +
         static_cast<std::uint64_t>(uniform(c.rng, 8, 18)) * 10000000ull +
         static_cast<std::uint64_t>(uniform(c.rng, 0, 59)) * 100000ull +
         static_cast<std::uint64_t>(uniform(c.rng, 0, 59)) * 1000ull + (c.counter++ % 1000);
}

std::string msh(Context& c, std::uint64_t ts, const char* type) {
  char id[40];
  std::snprintf(id, sizeof id, "%s%04llu", ts14(ts).c_str(),
                static_cast<unsigned long long>(c.counter++ % 10000));
  return Seg("MSH")
      .set(1, "^~\\&")
      .set(2, "HAREYAKA-GEN")
      .set(3, c.w.facility())
      .set(4, "GW")
      .set(5, "RCV")
      .set(6, ts14(ts))
      .set(8, type)
      .set(9, id)
      .set(10, "P")
      .set(11, "2.5")
      .set(17, "~ISO IR87")
      .set(19, "ISO 2022-1994")
      .set(20, "SS-MIX2_1.20^SS-MIX2^1.2.392.200250.2.1.100.1.2.120^ISO")
      .str();
}

std::string pid_segment(const Context& c, bool full) {
  const Person& p = c.person;
  Seg s("PID");
  s.set(1, "0001").set(3, c.pid + "^^^^PI");
  s.set(5, esc(p.family) + "^" + esc(p.given) + "^^^^^L^I~" + esc(p.family_kana) + "^" +
               esc(p.given_kana) + "^^^^^L^P");
  s.set(7, date_text(p.birth)).set(8, std::string(1, p.sex));
  if (full) {
    s.set(11, "^^^^" + p.postal + "^JPN^H^" + esc(p.address));
    s.set(13, "^PRN^PH^^^^^^^^^" + p.phone);
  }
  return s.str();
}

std::string doctor(Context& c) {
  const auto& d = pick(c.rng, data::kDoctors);
  return "D" + std::to_string(uniform(c.rng, 100, 999)) + "^" + d.kanji + "^" + d.kana +
         "^^^^^^^L^^^^^I";
}

std::string order_no(Context& c) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%015llu",
                static_cast<unsigned long long>(c.rng() % 1000000000000000ull));
  return buf;
}

}  // namespace hareyaka::gateway::tools::gen
