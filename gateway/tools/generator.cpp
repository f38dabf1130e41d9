#include "gateway/tools/generator.hpp"

#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "gateway/tools/generator_data.hpp"
#include "proto/hl7v2/charset.hpp"
#include "proto/hl7v2/escape.hpp"
#include "proto/ssmix2/file_name.hpp"
#include "proto/ssmix2/storage_path.hpp"

namespace hareyaka::gateway::tools {
namespace {

namespace fs = std::filesystem;
using Rng = std::mt19937_64;

template <typename T, std::size_t N>
const T& pick(Rng& rng, const T (&arr)[N]) {
  return arr[std::uniform_int_distribution<std::size_t>(0, N - 1)(rng)];
}

int uniform(Rng& rng, int lo, int hi) {
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}
bool chance(Rng& rng, double p) {
  return std::uniform_real_distribution<double>(0, 1)(rng) < p;
}

std::uint64_t mix(std::uint64_t a, std::uint64_t b) {
  std::uint64_t x = a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull + (a << 6) + (a >> 2));
  x ^= x >> 31;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 29;
  return x;
}

// One HL7 segment built field by field (so field numbers are explicit, not counted bars).
class Seg {
 public:
  explicit Seg(std::string name) : name_(std::move(name)) {}
  Seg& set(int field, std::string value) {
    if (static_cast<int>(fields_.size()) < field)
      fields_.resize(field);
    fields_[field - 1] = std::move(value);
    return *this;
  }
  std::string str() const {
    std::string out = name_;
    for (const auto& f : fields_)
      out += "|" + f;
    return out;
  }

 private:
  std::string name_;
  std::vector<std::string> fields_;
};

std::string esc(std::string_view v) {
  return hl7v2::escape(v, hl7v2::Separators{});
}

struct Person {
  std::uint64_t person_id = 0;
  std::string family, family_kana, given, given_kana;
  char sex = 'M';
  std::uint32_t birth = 0;
  std::string postal, address, phone;
};

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

// A spelling variant a different hospital's registration desk might type.
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

// Adds days to a yyyymmdd date.
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

class Writer {
 public:
  Writer(std::string root, std::string extended_root, std::string facility)
      : root_(std::move(root)),
        extended_root_(std::move(extended_root)),
        facility_(std::move(facility)) {}

  // Writes one standard storage file; returns false (with error) on failure.
  bool write(const std::string& pid, std::uint32_t date, const char* type,
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

  bool write_document(const std::string& pid, std::uint32_t date, const std::string& type_folder,
                      const std::string& content_folder, const std::string& file,
                      const std::string& bytes, std::string& error) {
    if (extended_root_.empty())
      return true;
    std::string path = extended_root_ + "/" + ssmix2::patient_folder(pid) + "/" + date_text(date) +
                       "/" + type_folder + "/" + content_folder + "/" + file;
    return put(path, bytes, error);
  }

  const std::string& facility() const { return facility_; }
  std::uint64_t files() const { return files_; }
  std::uint64_t bytes() const { return bytes_; }

 private:
  bool put(const std::string& path, const std::string& bytes, std::string& error) {
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

  std::string root_, extended_root_, facility_;
  std::atomic<std::uint64_t> files_{0}, bytes_{0};
};

struct Context {
  Writer& w;
  const Person& person;
  std::string pid;
  Rng rng;
  std::uint64_t counter = 0;
  std::string error;
};

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

void demographics(Context& c) {
  const Person& p = c.person;
  std::uint64_t ts = stamp(20240401, c);
  std::vector<std::string> segs{msh(c, ts, "ADT^A08^ADT_A01"), Seg("EVN").set(2, ts14(ts)).str(),
                                pid_segment(c, true), Seg("PV1").set(1, "0001").set(2, "O").str()};
  int height = p.sex == 'M' ? uniform(c.rng, 158, 182) : uniform(c.rng, 146, 168);
  char h[16], wt[16];
  std::snprintf(h, sizeof h, "%d.%d", height, uniform(c.rng, 0, 9));
  std::snprintf(wt, sizeof wt, "%d.%d", height - 105 + uniform(c.rng, -12, 15),
                uniform(c.rng, 0, 9));
  segs.push_back(Seg("OBX")
                     .set(1, "1")
                     .set(2, "NM")
                     .set(3, "9N001000000000001^身長^JC10")
                     .set(5, h)
                     .set(6, "cm^cm^ISO+")
                     .set(11, "F")
                     .str());
  segs.push_back(Seg("OBX")
                     .set(1, "2")
                     .set(2, "NM")
                     .set(3, "9N006000000000001^体重^JC10")
                     .set(5, wt)
                     .set(6, "kg^kg^ISO+")
                     .set(11, "F")
                     .str());
  if (chance(c.rng, 0.2)) {
    segs.push_back(Seg("AL1")
                       .set(1, "1")
                       .set(2, "DA^薬剤アレルギー^HL70127")
                       .set(3, "1^ペニシリン^99XYZ")
                       .str());
  }
  if (!c.w.write(c.pid, 0, "ADT-00", "999999999999999", ts, "-", 1, segs, c.error))
    return;
}

void allergies(Context& c) {
  std::uint64_t ts = stamp(20240401, c);
  std::vector<std::string> segs{msh(c, ts, "ADT^A60^ADT_A60"), Seg("EVN").set(2, ts14(ts)).str(),
                                pid_segment(c, false)};
  segs.push_back(Seg("IAM")
                     .set(1, "1")
                     .set(2, "FA^食物アレルギー^HL70127")
                     .set(3, "5A1002411023006^ソバ^JC10")
                     .set(4, "MO^中等度^HL70128")
                     .set(5, "湿疹")
                     .set(6, "A^追加^HL70323")
                     .set(11, "199601")
                     .str());
  c.w.write(c.pid, 0, "ADT-61", "999999999999999", ts, "-", 1, segs, c.error);
}

void diagnoses(Context& c, std::uint32_t first_visit) {
  std::uint64_t ts = stamp(20240401, c);
  std::vector<std::string> segs{msh(c, ts, "PPR^ZD1^PPR_ZD1"), pid_segment(c, false)};
  int n = uniform(c.rng, 1, 3);
  for (int i = 0; i < n; ++i) {
    const auto& d = pick(c.rng, data::kDiseases);
    std::uint32_t start = add_days(first_visit, uniform(c.rng, 0, 200));
    segs.push_back(Seg("PRB")
                       .set(1, "AD")
                       .set(2, date_text(start))
                       .set(3, std::string(d.medis) + "^" + d.name + "^MDCDX2")
                       .set(4, order_no(c))
                       .set(7, date_text(start))
                       .set(10, std::string(d.icd10) + "^^I10^O^外来時^JHSD0004")
                       .set(14, "C^継続^HL70241")
                       .set(16, date_text(start))
                       .set(18, i == 0 ? "1^主診断^JHSD0007" : "2^副診断^JHSD0007")
                       .str());
  }
  segs.push_back(Seg("ORC")
                     .set(1, "NW")
                     .set(2, order_no(c))
                     .set(12, doctor(c))
                     .set(17, "01^内科^99XY1")
                     .str());
  c.w.write(c.pid, 0, "PPR-01", "999999999999999", ts, "01", 1, segs, c.error);
}

void visit(Context& c, std::uint32_t date) {
  std::uint64_t ts = stamp(date, c);
  std::string doc = doctor(c);
  // Now and then a registration is cancelled (A11): the cancellation is a file of its own.
  if (chance(c.rng, 0.02)) {
    std::uint64_t cts = stamp(date, c);
    c.w.write(
        c.pid, date, "ADT-12", "999999999999999", cts, "01", 1,
        {msh(c, cts, "ADT^A11^ADT_A09"), Seg("EVN").set(2, ts14(cts)).set(6, ts14(ts)).str(),
         pid_segment(c, false),
         Seg("PV1").set(1, "0001").set(2, "O").set(3, "01^^^^^C").set(7, doc).set(10, "01").str()},
        c.error);
  }
  c.w.write(
      c.pid, date, "ADT-12", "999999999999999", ts, "01", 1,
      {msh(c, ts, "ADT^A04^ADT_A01"), Seg("EVN").set(2, ts14(ts)).set(6, ts14(ts)).str(),
       pid_segment(c, false),
       Seg("PV1").set(1, "0001").set(2, "O").set(3, "01^^^^^C").set(7, doc).set(10, "01").str()},
      c.error);
}

void prescription(Context& c, std::uint32_t date) {
  std::uint64_t ts = stamp(date, c);
  std::string no = order_no(c);
  std::string doc = doctor(c);
  std::vector<std::string> segs{msh(c, ts, "RDE^O11^RDE_O11"), pid_segment(c, false),
                                Seg("PV1").set(1, "0001").set(2, "O").set(3, "01^^^^^C").str()};
  int rps = uniform(c.rng, 1, 3);
  int days = uniform(c.rng, 1, 8) * 7;
  for (int rp = 1; rp <= rps; ++rp) {
    const auto& d = pick(c.rng, data::kDrugs);
    const auto& u = pick(c.rng, data::kUsages);
    int per_day = d.dose * (u.code[3] - '0');
    segs.push_back(Seg("ORC")
                       .set(1, "NW")
                       .set(2, no)
                       .set(4, std::to_string(rp))
                       .set(9, ts14(ts))
                       .set(12, doc)
                       .set(17, "01^内科^99XY1")
                       .set(29, "O^外来患者オーダ^HL70482")
                       .str());
    segs.push_back(
        Seg("RXE")
            .set(2, std::string(d.hot9) + "^" + d.name + "^HOT9")
            .set(3, std::to_string(d.dose))
            .set(5, std::string(d.unit) + "^" + d.unit_name + "^MR9P")
            .set(10, std::to_string(per_day * days))
            .set(11, std::string(d.unit) + "^" + d.unit_name + "^MR9P")
            .set(15, no.substr(5))
            .set(19, std::to_string(per_day) + "^" + d.unit + "&" + d.unit_name + "&MR9P")
            .set(21, "OHP^外来処方^MR9P~OHO^院外処方^MR9P")
            .str());
    segs.push_back(Seg("TQ1")
                       .set(1, "1")
                       .set(3, std::string(u.code) + "&" + u.text + "&JAMISDP01")
                       .set(6, std::to_string(days) + "^d")
                       .set(7, date_text(date))
                       .str());
    segs.push_back(Seg("RXR").set(1, "PO^口^HL70162").str());
  }
  // Now and then the order was revised: the first version stays as a superseded (_2) file.
  if (chance(c.rng, 0.05)) {
    c.w.write(c.pid, date, "OMP-01", no, ts - 1000, "01", 2, segs, c.error);
  }
  c.w.write(c.pid, date, "OMP-01", no, ts, "01", 1, segs, c.error);
}

void lab(Context& c, std::uint32_t date) {
  std::uint64_t ts = stamp(date, c);
  std::string no = order_no(c);
  std::vector<std::string> segs{msh(c, ts, "OUL^R22^OUL_R22"),
                                pid_segment(c, false),
                                Seg("PV1").set(1, "0001").set(2, "O").str(),
                                Seg("SPM")
                                    .set(1, "1")
                                    .set(2, no)
                                    .set(4, "023^血清^JC10")
                                    .set(17, date_text(date) + "0900")
                                    .str(),
                                Seg("OBR")
                                    .set(1, "1")
                                    .set(2, no)
                                    .set(3, no)
                                    .set(4, "E001^生化学的検査^99O03")
                                    .set(7, date_text(date))
                                    .set(22, ts14(ts))
                                    .str(),
                                Seg("ORC")
                                    .set(1, "SC")
                                    .set(2, no)
                                    .set(5, "CM")
                                    .set(9, ts14(ts))
                                    .set(17, "01^内科^99XY1")
                                    .str()};
  int n = uniform(c.rng, 3, 7);
  int first = uniform(c.rng, 0, static_cast<int>(std::size(data::kLabItems)) - 1);
  for (int i = 0; i < n; ++i) {
    const auto& item = data::kLabItems[(first + i) % std::size(data::kLabItems)];
    double v = std::max(0.01, std::normal_distribution<double>(item.mean, item.sd)(c.rng));
    char value[32], range[48];
    std::snprintf(value, sizeof value, "%.*f", item.decimals, v);
    std::snprintf(range, sizeof range, "%.*f-%.*f", item.decimals, item.low, item.decimals,
                  item.high);
    double shown = std::atof(value);
    std::string flag = shown > item.high ? "H" : (shown < item.low ? "L" : "N");
    segs.push_back(Seg("OBX")
                       .set(1, std::to_string(i + 1))
                       .set(2, "NM")
                       .set(3, std::string(item.jlac10) + "^" + item.name + "^JC10")
                       .set(5, value)
                       .set(6, std::string(esc(item.unit)) + "^" + esc(item.unit) + "^99XYZ")
                       .set(7, range)
                       .set(8, flag)
                       .set(11, "F")
                       .set(14, date_text(date) + "0900")
                       .str());
  }
  c.w.write(c.pid, date, "OML-11", no, ts, "01", 1, segs, c.error);
}

std::string study_uid(Context& c) {
  // 2.25: a UID from a large random number, for data without a registered root.
  return "2.25." + std::to_string(c.rng() >> 1) + std::to_string(uniform(c.rng, 100000, 999999));
}

void radiology(Context& c, std::uint32_t date) {
  std::uint64_t ts = stamp(date, c);
  std::string no = order_no(c);
  const auto& e = pick(c.rng, data::kRadiology);
  std::string doc = doctor(c);
  std::string uid = study_uid(c);
  std::string acc = "A" + no.substr(3);
  std::vector<std::string> segs{msh(c, ts, "OMI^Z23^OMI_Z23"),
                                pid_segment(c, false),
                                Seg("PV1").set(1, "0001").set(2, "O").str(),
                                Seg("ORC")
                                    .set(1, "NW")
                                    .set(2, no)
                                    .set(9, ts14(ts))
                                    .set(12, doc)
                                    .set(17, "01^内科^99XY1")
                                    .str(),
                                Seg("OBR")
                                    .set(2, no)
                                    .set(4, std::string(e.code) + "^" + e.name + "^JJ1017")
                                    .set(7, date_text(date))
                                    .set(16, doc)
                                    .set(22, ts14(ts))
                                    .set(25, "F")
                                    .str(),
                                Seg("OBX")
                                    .set(1, "1")
                                    .set(2, "TX")
                                    .set(3, "MS3-24^所見^JSHR")
                                    .set(5, esc(pick(c.rng, data::kFindings)))
                                    .set(11, "F")
                                    .str(),
                                Seg("IPC")
                                    .set(1, acc)
                                    .set(2, no.substr(8))
                                    .set(3, uid)
                                    .set(5, std::string(e.modality) + "^^DCM")
                                    .str()};
  c.w.write(c.pid, date, "OMG-11", no, ts, "01", 1, segs, c.error);
}

// A one-page PDF (A4, Helvetica) with a valid cross-reference table, so that viewers open
// it: the discharge summary of the extended storage. ASCII only: the standard 14 fonts
// carry no Japanese glyphs, and embedding a font would bloat every generated file.
std::string discharge_summary_pdf(const std::string& pid, std::uint32_t date) {
  const std::string text =
      "BT /F1 16 Tf 56 780 Td (Discharge summary) Tj /F1 11 Tf 0 -28 Td "
      "(Patient " +
      pid + ", discharged " + std::to_string(date) +
      ") Tj 0 -18 Td (Course: stable; follow-up at the referring clinic.) Tj ET";
  std::vector<std::string> objects = {
      "<</Type/Catalog/Pages 2 0 R>>",
      "<</Type/Pages/Count 1/Kids[3 0 R]>>",
      "<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<</Font<</F1 5 0 R>>>>"
      "/Contents 4 0 R>>",
      "<</Length " + std::to_string(text.size()) + ">>stream\n" + text + "\nendstream",
      "<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
  };
  std::string pdf = "%PDF-1.4\n";
  std::vector<std::size_t> offsets;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(i + 1) + " 0 obj" + objects[i] + "endobj\n";
  }
  const std::size_t xref = pdf.size();
  pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
  for (auto off : offsets) {
    char line[24];
    std::snprintf(line, sizeof line, "%010zu 00000 n \n", off);
    pdf += line;
  }
  pdf += "trailer<</Size " + std::to_string(objects.size() + 1) + "/Root 1 0 R>>\nstartxref\n" +
         std::to_string(xref) + "\n%%EOF\n";
  return pdf;
}

void admission(Context& c, std::uint32_t date) {
  std::uint64_t ts = stamp(date, c);
  std::string doc = doctor(c);
  std::string ward = std::to_string(uniform(c.rng, 3, 8)) + "W^" +
                     std::to_string(uniform(c.rng, 301, 820)) + "^" +
                     std::to_string(uniform(c.rng, 1, 4));
  c.w.write(
      c.pid, date, "ADT-22", "999999999999999", ts, "01", 1,
      {msh(c, ts, "ADT^A01^ADT_A01"), Seg("EVN").set(2, ts14(ts)).str(), pid_segment(c, false),
       Seg("PV1")
           .set(1, "0001")
           .set(2, "I")
           .set(3, ward + "^^^N")
           .set(7, doc)
           .set(10, "01")
           .set(44, ts14(ts))
           .str()},
      c.error);
  // The admission was planned a few days before (ADT-21, A14), and some patients move ward
  // during the stay (ADT-42, A02).
  std::uint32_t planned_on = add_days(date, -uniform(c.rng, 1, 7));
  std::uint64_t pts = stamp(planned_on, c);
  // Stored under the planned admission date (PV1-44); issued days before.
  c.w.write(
      c.pid, date, "ADT-21", "999999999999999", pts, "01", 1,
      {msh(c, pts, "ADT^A14^ADT_A05"), Seg("EVN").set(2, ts14(pts)).str(), pid_segment(c, false),
       Seg("PV1")
           .set(1, "0001")
           .set(2, "I")
           .set(3, ward + "^^^N")
           .set(7, doc)
           .set(10, "01")
           .set(44, ts14(ts))
           .str()},
      c.error);
  if (chance(c.rng, 0.3)) {
    std::uint32_t moved = add_days(date, 1);
    std::uint64_t mts = stamp(moved, c);
    std::string to = std::to_string(uniform(c.rng, 3, 8)) + "W^" +
                     std::to_string(uniform(c.rng, 301, 820)) + "^1";
    c.w.write(c.pid, moved, "ADT-42", "999999999999999", mts, "01", 1,
              {msh(c, mts, "ADT^A02^ADT_A02"), Seg("EVN").set(2, ts14(mts)).set(6, ts14(mts)).str(),
               pid_segment(c, false),
               Seg("PV1")
                   .set(1, "0001")
                   .set(2, "I")
                   .set(3, to + "^^^N")
                   .set(6, ward + "^^^N")
                   .set(7, doc)
                   .set(10, "01")
                   .str()},
              c.error);
  }
  // An injection order during the stay.
  std::uint64_t its = stamp(date, c);
  std::string no = order_no(c);
  c.w.write(c.pid, date, "OMP-02", no, its, "01", 1,
            {msh(c, its, "RDE^O11^RDE_O11"), pid_segment(c, false),
             Seg("PV1").set(1, "0001").set(2, "I").str(),
             Seg("ORC")
                 .set(1, "NW")
                 .set(2, no)
                 .set(4, no + "_01_001")
                 .set(9, ts14(its))
                 .set(12, doc)
                 .set(17, "01^内科^99XY1")
                 .str(),
             Seg("RXE")
                 .set(2, "00^一般^99I02")
                 .set(3, "500")
                 .set(5, "ML^ミリリットル^MR9P")
                 .set(6, "INJ^注射剤^MR9P")
                 .set(23, "100")
                 .set(24, "ml/hr^ミリリットル／時間^ISO+")
                 .str(),
             Seg("TQ1").set(1, "1").set(7, ts14(its).substr(0, 12)).str(),
             Seg("RXR").set(1, "IV^静脈内^HL70162").set(3, "IVP^点滴ポンプ^HL70164").str(),
             Seg("RXC")
                 .set(1, "B")
                 .set(2, "620007329^生理食塩液５００ｍＬ^HOT9")
                 .set(3, "1")
                 .set(4, "HON^本^MR9P")
                 .str()},
            c.error);
  std::uint32_t out = add_days(date, uniform(c.rng, 3, 14));
  std::uint64_t ots = stamp(out, c);
  c.w.write(c.pid, out, "ADT-52", "999999999999999", ots, "01", 1,
            {msh(c, ots, "ADT^A03^ADT_A03"), Seg("EVN").set(2, ts14(ots)).set(6, ts14(ots)).str(),
             pid_segment(c, false),
             Seg("PV1")
                 .set(1, "0001")
                 .set(2, "I")
                 .set(3, ward + "^^^N")
                 .set(7, doc)
                 .set(10, "01")
                 .set(44, ts14(ts))
                 .set(45, ts14(ots))
                 .str()},
            c.error);
  // A discharge summary in the extended storage.
  std::uint64_t dts = stamp(out, c);
  ssmix2::FileName content;
  content.patient_id = c.pid;
  content.date = out;
  content.data_type_code = "DSUM";
  content.order_no = order_no(c);
  content.timestamp = dts;
  content.department = "01";
  std::string pdf = discharge_summary_pdf(c.pid, out);
  c.w.write_document(c.pid, out, "DSUM^DischargeSummary^99HYK^18842-5^Discharge summary^LN",
                     content.to_string(), "summary.pdf", pdf, c.error);
}

void generate_patient(Writer& w, const Person& person, const std::string& pid, std::uint64_t seed,
                      int visits, std::string& error) {
  Context c{w, person, pid, Rng(mix(seed, person.person_id ^ 0xC1u)), 0, {}};
  demographics(c);
  if (chance(c.rng, 0.3))
    allergies(c);
  std::uint32_t day = add_days(20200101, uniform(c.rng, 0, 700));
  int n = std::max(1, visits + uniform(c.rng, -visits / 2, visits / 2));
  diagnoses(c, day);
  for (int i = 0; i < n && c.error.empty(); ++i) {
    visit(c, day);
    if (chance(c.rng, 0.7))
      prescription(c, day);
    if (chance(c.rng, 0.5))
      lab(c, day);
    if (chance(c.rng, 0.1))
      radiology(c, day);
    if (chance(c.rng, 0.04))
      admission(c, add_days(day, 1));
    day = add_days(day, uniform(c.rng, 14, 120));
  }
  if (!c.error.empty())
    error = c.error;
}

std::string pid_text(std::uint64_t id) {
  return std::to_string(id);
}

}  // namespace

GeneratorReport generate(const GeneratorOptions& o) {
  GeneratorReport report;
  if (o.out.empty()) {
    report.error = "no output folder";
    return report;
  }
  Writer a(o.out, o.extended_out, "FACILITY-A");
  Writer b(o.second_out, o.second_extended_out, "FACILITY-B");
  const bool second = !o.second_out.empty();

  // Facility B: A's shared persons (with variations) then B's own persons.
  struct BPatient {
    Person person;
    std::string pid, variation;
  };
  std::vector<BPatient> b_patients;
  std::vector<std::pair<std::uint64_t, std::string>> truth_a;  // person id, pid
  if (second) {
    std::uint64_t next = o.second_first_id;
    for (std::uint64_t i = 0; i < o.patients; ++i) {
      if (static_cast<double>(mix(o.seed ^ 0x5eedu, i) % 1000000) / 1e6 >= o.shared_fraction)
        continue;
      Person p = make_person(o.seed, i);
      Rng rng(mix(o.seed ^ 0xB0u, i));
      std::string variation = "same";
      int kind = uniform(rng, 0, 3);
      if (kind == 1 && (kana_variant(p.given_kana) || kana_variant(p.family_kana))) {
        variation = "kana_spelling";
      } else if (kind == 2) {
        const auto& place = pick(rng, data::kPlaces);
        p.postal = place.postal;
        p.address = std::string(place.text) + "３−１−１";
        variation = "moved";
      } else if (kind == 3 && p.sex == 'F' && p.birth < 20040101) {
        const auto& fam = pick(rng, data::kFamily);
        if (p.family != fam.kanji) {
          p.family = fam.kanji;
          p.family_kana = fam.kana;
          variation = "married_surname";
        }
      }
      b_patients.push_back({std::move(p), pid_text(next++), variation});
    }
    for (std::uint64_t k = 0; k < o.second_patients; ++k) {
      b_patients.push_back(
          {make_person(o.seed, 1'000'000'000'000ull + k), pid_text(next++), "only_b"});
    }
  }

  std::mutex error_mu;
  auto fail = [&](const std::string& e) {
    std::lock_guard lock(error_mu);
    if (report.error.empty())
      report.error = e;
  };
  std::atomic<std::uint64_t> next_a{0}, next_b{0};
  auto worker = [&] {
    for (;;) {
      std::uint64_t i = next_a.fetch_add(1);
      if (i >= o.patients)
        break;
      std::string error;
      generate_patient(a, make_person(o.seed, i), pid_text(o.first_id + i), o.seed, o.visits,
                       error);
      if (!error.empty())
        return fail(error);
    }
    for (;;) {
      std::uint64_t i = next_b.fetch_add(1);
      if (i >= b_patients.size())
        break;
      std::string error;
      generate_patient(b, b_patients[i].person, b_patients[i].pid, o.seed ^ 0xFAC1B, o.visits,
                       error);
      if (!error.empty())
        return fail(error);
    }
  };
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < std::max(1u, o.threads); ++t)
    threads.emplace_back(worker);
  for (auto& t : threads)
    t.join();

  if (!o.truth.empty() && report.error.empty()) {
    std::ofstream out(o.truth, std::ios::trunc);
    out << "person_id,facility,patient_id,variation\n";
    for (std::uint64_t i = 0; i < o.patients; ++i) {
      out << "P" << i << ",A," << pid_text(o.first_id + i) << ",original\n";
    }
    for (const auto& bp : b_patients) {
      std::uint64_t id = bp.person.person_id;
      out << (id >= 1'000'000'000'000ull ? "Q" + std::to_string(id - 1'000'000'000'000ull)
                                         : "P" + std::to_string(id))
          << ",B," << bp.pid << "," << bp.variation << "\n";
    }
    if (!out)
      report.error = "cannot write " + o.truth;
  }
  report.files = a.files() + b.files();
  report.bytes = a.bytes() + b.bytes();
  report.patients = o.patients + b_patients.size();
  return report;
}

}  // namespace hareyaka::gateway::tools
