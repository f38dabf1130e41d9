#include "proto/jahis/notebook.hpp"

#include <algorithm>
#include <array>
#include <map>

#include "common/error.hpp"
#include "proto/jahis/text.hpp"

namespace hareyaka::jahis {

namespace {

using Fields = std::vector<std::string>;

// Field counts after the record number: fewer than `min` is an error (the record cannot be
// read), more than `max` a warning (a newer version's additions) up to kExtraFields more.
struct Layout {
  std::string_view number;
  std::size_t min, max;
  bool in_dispensing;  // belongs to the 調剤情報 a record 5 opened
  std::string_view name;
};
constexpr std::size_t kExtraFields = 5;
constexpr std::array<Layout, 23> kLayouts = {{
    {"1", 3, 10, false, "患者情報"},        {"2", 2, 3, false, "患者特記"},
    {"3", 1, 6, false, "一般用医薬品服用"}, {"31", 3, 5, false, "一般用医薬品成分"},
    {"4", 1, 3, false, "手帳メモ"},         {"5", 1, 2, false, "調剤等年月日"},
    {"11", 1, 8, true, "調剤-医療機関等"},  {"15", 1, 3, true, "調剤-医師・薬剤師"},
    {"51", 1, 5, true, "処方-医療機関"},    {"55", 1, 3, true, "処方-医師"},
    {"201", 2, 10, true, "薬品"},           {"281", 2, 3, true, "薬品補足"},
    {"291", 2, 3, true, "薬品服用注意"},    {"301", 2, 8, true, "用法"},
    {"311", 2, 3, true, "用法補足"},        {"391", 2, 3, true, "処方服用注意"},
    {"401", 1, 2, true, "服用注意"},        {"411", 1, 3, true, "医療機関等提供情報"},
    {"421", 1, 2, true, "残薬確認"},        {"501", 1, 2, true, "備考"},
    {"601", 1, 2, true, "患者等記入"},      {"701", 3, 6, false, "かかりつけ薬剤師"},
    {"911", 3, 3, false, "分割制御"},
}};
constexpr int kNewestVersion = 8;
constexpr std::size_t kMaxWarnings = 200;

const std::string& at(const Fields& f, std::size_t i) {
  static const std::string kEmpty;
  return i < f.size() ? f[i] : kEmpty;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return std::string(s);
}

// A code, number or date field (X and 9 in the specification): surrounding blanks dropped.
std::string key(const Fields& f, std::size_t i) {
  return trim(at(f, i));
}

std::string record_label(const Layout& l) {
  return "record " + std::string(l.number) + " (" + std::string(l.name) + ")";
}

class Parser {
 public:
  Notebook run(std::string_view bytes);

 private:
  void version(const Line& line, const Fields& f, bool first);
  void record(const Line& line, const Layout& layout, const Fields& f);
  void dispensing_record(const Line& line, const Layout& layout, const Fields& f);
  void rp_record(const Line& line, const Layout& layout, const Fields& f);
  void close_dispensing();
  void warn(std::size_t line, std::string message) {
    if (nb_.warnings.size() < kMaxWarnings)
      nb_.warnings.push_back({line, std::move(message)});
    else
      ++unlisted_warnings_;
  }
  Dispensing& current() { return nb_.dispensings.back(); }

  Notebook nb_;
  std::size_t unlisted_warnings_ = 0;
  bool in_dispensing_ = false;
  std::size_t patient_line_ = 0;
  std::size_t pharmacy_line_ = 0, pharmacist_line_ = 0, prescriber_line_ = 0;
  Institution prescriber_;  // the 51 and 55 in force
  Doctor doctor_;
  std::map<int, std::size_t> rps_;  // RP number -> index in current().rps
};

Notebook Parser::run(std::string_view bytes) {
  if (bytes.size() > kMaxNotebookBytes)
    throw Error(ErrorCode::kPayloadTooLarge,
                "the file is larger than " + std::to_string(kMaxNotebookBytes) + " bytes");
  const std::string text = decode_text(bytes, &nb_.encoding);
  const std::vector<Line> lines = split_lines(text);
  if (lines.size() > kMaxNotebookLines)
    fail(kMaxNotebookLines + 1, "more than " + std::to_string(kMaxNotebookLines) + " lines");
  bool seen_version = false;
  for (const Line& line : lines) {
    if (trim(line.text).empty())
      continue;
    Fields f = split_fields(line);
    f[0] = trim(f[0]);
    if (f[0].starts_with("JAHISTC") || !seen_version) {
      version(line, f, !seen_version);
      seen_version = true;
      continue;
    }
    if (!all_digits(f[0]))
      fail(line.number, "the first field is not a record number");
    const auto layout = std::find_if(kLayouts.begin(), kLayouts.end(),
                                     [&](const Layout& l) { return l.number == f[0]; });
    if (layout == kLayouts.end()) {
      warn(line.number, "unknown record number " +
                            (f[0].size() <= 6 ? f[0] : f[0].substr(0, 6) + "...") + ", skipped");
      continue;
    }
    record(line, *layout, f);
  }
  if (!seen_version)
    fail(1, "the file is empty: no version record (JAHISTCnn)");
  close_dispensing();
  if (unlisted_warnings_ != 0)
    nb_.warnings.push_back(
        {lines.back().number, std::to_string(unlisted_warnings_) + " more warnings not listed"});
  return std::move(nb_);
}

void Parser::version(const Line& line, const Fields& f, bool first) {
  const std::string& v = f[0];
  if (!v.starts_with("JAHISTC"))
    fail(line.number, "no version record: a JAHIS file starts with JAHISTCnn");
  const std::string_view n = std::string_view(v).substr(7);
  if (n.size() != 2 || !all_digits(n) || n == "00")
    fail(line.number, "unknown version record (JAHISTC and two digits expected)");
  if (!first) {
    if (v != nb_.version)
      warn(line.number, "version " + v + " after " + nb_.version + "; read alike");
    return;  // concatenated QR codes or exports: each part repeats the version record
  }
  nb_.version = v;
  nb_.output_kind = at(f, 1);
  if (std::stoi(std::string(n)) > kNewestVersion)
    warn(line.number, "version " + v + " is newer than JAHISTC0" + std::to_string(kNewestVersion) +
                          "; read as JAHISTC0" + std::to_string(kNewestVersion));
}

void Parser::record(const Line& line, const Layout& layout, const Fields& f) {
  const std::size_t count = f.size() - 1;
  if (count < layout.min)
    fail(line.number, record_label(layout) + " has " + std::to_string(count) +
                          " field(s); it needs at least " + std::to_string(layout.min));
  if (count > layout.max + kExtraFields)
    fail(line.number, record_label(layout) + " has " + std::to_string(count) + " fields; " +
                          std::to_string(layout.max) + " are defined");
  if (count > layout.max)
    warn(line.number, record_label(layout) + " has " + std::to_string(count) + " fields; " +
                          std::to_string(layout.max) + " are defined, the rest ignored");
  if (layout.in_dispensing) {
    if (!in_dispensing_)
      fail(line.number, record_label(layout) +
                            " before the first 調剤等年月日 record (5): it belongs to a "
                            "dispensing");
    dispensing_record(line, layout, f);
    return;
  }
  const std::string_view n = layout.number;
  if (n == "1") {
    Patient p;
    p.name = at(f, 1);
    p.sex = key(f, 2) == "1" ? "M" : key(f, 2) == "2" ? "F" : key(f, 2);
    p.birth_date = iso_date(key(f, 3), "患者生年月日", line.number);
    p.postal_code = key(f, 4);
    p.address = at(f, 5);
    p.phone = key(f, 6);
    p.emergency_contact = at(f, 7);
    p.blood_type = at(f, 8);
    p.weight = key(f, 9);
    p.kana = at(f, 10);
    if (patient_line_ != 0) {
      if (p.name != nb_.patient.name || p.birth_date != nb_.patient.birth_date)
        warn(line.number, "a second, different patient record (1); the one on line " +
                              std::to_string(patient_line_) + " is kept");
      return;
    }
    nb_.patient = std::move(p);
    patient_line_ = line.number;
  } else if (n == "2") {
    nb_.patient_remarks.push_back({key(f, 1), at(f, 2)});
  } else if (n == "3") {
    nb_.otc_drugs.push_back({at(f, 1), iso_date(key(f, 2), "服用開始年月日", line.number),
                             iso_date(key(f, 3), "服用終了年月日", line.number)});
  } else if (n == "4") {
    nb_.memos.push_back({at(f, 1), iso_date(key(f, 2), "メモ入力年月日", line.number)});
  } else if (n == "5") {
    close_dispensing();
    Dispensing d;
    d.line = line.number;
    if (key(f, 1).empty())
      fail(line.number, "調剤等年月日 is empty");
    d.date = iso_date(key(f, 1), "調剤等年月日", line.number);
    d.input_kind = key(f, 2);
    nb_.dispensings.push_back(std::move(d));
    in_dispensing_ = true;
    pharmacy_line_ = pharmacist_line_ = prescriber_line_ = 0;
    prescriber_ = {};
    doctor_ = {};
    rps_.clear();
  }
  // 31, 701 and 911 are known and not kept.
}

void Parser::dispensing_record(const Line& line, const Layout& layout, const Fields& f) {
  Dispensing& d = current();
  const std::string_view n = layout.number;
  auto once = [&](std::size_t& first_line) {
    if (first_line != 0) {
      warn(line.number, "a second " + record_label(layout) +
                            " in one dispensing; the one on line " + std::to_string(first_line) +
                            " is kept");
      return false;
    }
    first_line = line.number;
    return true;
  };
  if (n == "11") {
    if (once(pharmacy_line_))
      d.pharmacy = {at(f, 1), key(f, 2), key(f, 3), key(f, 4), key(f, 5), at(f, 6), key(f, 7)};
  } else if (n == "15") {
    if (once(pharmacist_line_))
      d.pharmacist = {at(f, 1), at(f, 2)};
  } else if (n == "51") {
    prescriber_ = {at(f, 1), key(f, 2), key(f, 3), key(f, 4), {}, {}, {}};
    doctor_ = {};
    if (prescriber_line_ == 0) {
      d.prescriber = prescriber_;
      prescriber_line_ = line.number;
    } else {
      // Ver.2.6 allows one per dispensing; an older writer's second prescription numbers
      // its RPs anew.
      warn(line.number,
           "a second " + record_label(layout) + " in one dispensing; the RPs after it are its own");
      rps_.clear();
    }
  } else if (n == "55") {
    doctor_ = {at(f, 1), at(f, 2)};
    if (d.doctor.name.empty() && d.doctor.department.empty())
      d.doctor = doctor_;
  } else if (n == "401") {
    d.cautions.push_back(at(f, 1));
  } else if (n == "411") {
    d.provided.push_back({at(f, 1), key(f, 2)});
  } else if (n == "421") {
    d.remaining.push_back(at(f, 1));
  } else if (n == "501") {
    d.notes.push_back(at(f, 1));
  } else if (n == "601") {
    d.patient_entries.push_back({at(f, 1), iso_date(key(f, 2), "入力年月日", line.number)});
  } else {
    rp_record(line, layout, f);
  }
}

void Parser::rp_record(const Line& line, const Layout& layout, const Fields& f) {
  Dispensing& d = current();
  const std::string number = trim(at(f, 1));
  if (!all_digits(number) || number.size() > 3)
    fail(line.number, record_label(layout) + ": the RP number is not a number of 1 to 3 digits");
  const int rp_number = std::stoi(number);
  const std::string_view n = layout.number;
  auto found = rps_.find(rp_number);
  if (n == "201") {
    if (found == rps_.end()) {
      Rp rp;
      rp.number = rp_number;
      rp.prescriber = prescriber_;
      rp.doctor = doctor_;
      d.rps.push_back(std::move(rp));
      found = rps_.emplace(rp_number, d.rps.size() - 1).first;
    }
    Drug drug;
    drug.line = line.number;
    drug.name = at(f, 2);
    drug.dose = key(f, 3);
    drug.unit = at(f, 4);
    drug.code_system = key(f, 5);
    drug.code = key(f, 6);
    drug.general_name = at(f, 8);
    d.rps[found->second].drugs.push_back(std::move(drug));
    return;
  }
  if (found == rps_.end())
    fail(line.number, record_label(layout) + " names RP " + number +
                          ", which has no drug record (201) before it in this dispensing");
  Rp& rp = d.rps[found->second];
  if (n == "281") {
    rp.drugs.back().supplements.push_back(at(f, 2));
  } else if (n == "291") {
    rp.drugs.back().cautions.push_back(at(f, 2));
  } else if (n == "301") {
    if (rp.usage.line != 0)
      fail(line.number, "a second " + record_label(layout) + " for RP " + number +
                            "; the first is on line " + std::to_string(rp.usage.line));
    rp.usage = {line.number, at(f, 2), key(f, 3), at(f, 4), key(f, 5), key(f, 6), key(f, 7)};
  } else if (n == "311") {
    rp.usage_supplements.push_back(at(f, 2));
  } else if (n == "391") {
    rp.cautions.push_back(at(f, 2));
  }
}

// Every RP of a dispensing for the patient (出力区分 1) has its usage: the specification
// requires the 301 fields in that direction. A patient's own entries (2) may lack it.
void Parser::close_dispensing() {
  if (!in_dispensing_)
    return;
  for (const Rp& rp : current().rps) {
    if (rp.usage.line != 0)
      continue;
    const std::string why = "record 201 (薬品) of RP " + std::to_string(rp.number) +
                            " has no usage record (301) in its dispensing";
    if (nb_.output_kind == "2")
      warn(rp.drugs.front().line, why);
    else
      fail(rp.drugs.front().line, why);
  }
  in_dispensing_ = false;
}

}  // namespace

Notebook parse_notebook(std::string_view bytes) {
  Parser parser;
  return parser.run(bytes);
}

}  // namespace hareyaka::jahis
