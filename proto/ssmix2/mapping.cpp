#include "proto/ssmix2/mapping.hpp"

#include <cstdio>

#include "proto/hl7v2/parser.hpp"
#include "proto/ssmix2/mapping_fields.hpp"
#include "proto/ssmix2/mapping_orders.hpp"
#include "proto/ssmix2/storage_path.hpp"

namespace hareyaka::ssmix2 {

using hl7v2::Segment;
namespace f = fields;

namespace {

clinical::Name name_of(const Segment& pid, int rep) {
  return {pid.get(5, 1, 0, rep), pid.get(5, 2, 0, rep)};
}

void map_patient(const hl7v2::Message& m, const clinical::Source& src, Content& out) {
  const Segment* pid = m.find("PID");
  if (!pid)
    return;
  clinical::Patient p;
  p.id = pid->get(3, 1);
  // PID-5 repeats per representation (XPN-8): I ideographic (kanji), P phonetic (kana).
  int reps = pid->repetitions(5);
  for (int r = 0; r < reps; ++r) {
    std::string rep_code = pid->get(5, 8, 0, r);
    if (rep_code == "P") {
      p.name_kana = name_of(*pid, r);
    } else if (rep_code == "I" || (rep_code.empty() && p.name_kanji.family.empty())) {
      p.name_kanji = name_of(*pid, r);
    }
  }
  p.birth_date = f::time(*pid, 7);
  p.sex = pid->get(8);
  for (int r = 0; r < pid->repetitions(11); ++r) {
    clinical::Address a;
    a.type = pid->get(11, 7, 0, r);
    a.postal_code = pid->get(11, 5, 0, r);
    a.country = pid->get(11, 6, 0, r);
    a.text = pid->get(11, 8, 0, r);  // SS-MIX2 carries the whole address in XAD-8
    if (a.text.empty()) {
      for (int c = 4; c >= 1; --c)
        a.text += pid->get(11, c, 0, r);
    }
    if (!a.text.empty() || !a.postal_code.empty())
      p.addresses.push_back(std::move(a));
  }
  for (int field : {13, 14}) {
    for (int r = 0; r < pid->repetitions(field); ++r) {
      clinical::Phone ph;
      ph.use = pid->get(field, 2, 0, r);
      ph.equipment = pid->get(field, 3, 0, r);
      ph.number = pid->get(field, 12, 0, r);
      if (ph.number.empty())
        ph.number = pid->get(field, 1, 0, r);
      if (!ph.number.empty())
        p.phones.push_back(std::move(ph));
    }
  }
  p.updated_at = f::time(*pid, 33);
  for (const Segment& s : m.segments()) {
    if (s.name() == "OBX") {
      p.observations.push_back(f::observation(s));
    } else if (s.name() == "AL1") {
      clinical::Allergy a;
      a.type = f::code(s, 2);
      a.allergen = f::code(s, 3);
      a.severity = f::code(s, 4);
      a.reaction = s.get(5);
      a.onset = f::time(s, 6);
      a.source = src;
      p.allergies.push_back(std::move(a));
    }
  }
  p.source = src;
  out.patient = std::move(p);
}

void map_allergies(const hl7v2::Message& m, const clinical::Source& src, Content& out) {
  for (const Segment& s : m.segments()) {
    if (s.name() != "IAM" && s.name() != "AL1")
      continue;
    clinical::Allergy a;
    a.type = f::code(s, 2);
    a.allergen = f::code(s, 3);
    a.severity = f::code(s, 4);
    a.reaction = s.get(5);
    if (s.name() == "IAM") {
      a.action = f::code(s, 6);
      a.onset = f::time(s, 11);
      a.onset_text = s.get(12);
    } else {
      a.onset = f::time(s, 6);
    }
    a.source = src;
    out.allergies.push_back(std::move(a));
  }
}

void map_diagnoses(const hl7v2::Message& m, const clinical::Source& src, Content& out) {
  clinical::Code department;
  for (const Segment& s : m.segments()) {
    if (s.name() == "ORC" && department.empty())
      department = f::code(s, 17);
  }
  for (const Segment& s : m.segments()) {
    if (s.name() != "PRB")
      continue;
    clinical::Diagnosis d;
    d.action = s.get(1);
    d.name = f::code(s, 3);
    d.instance_id = s.get(4);
    d.established = f::time(s, 7);
    d.resolved = f::time(s, 9);
    // PRB-10: SS-MIX2 puts the ICD-10 code in components 1-3 (system I10); the alternate
    // triplet (4-6) classifies the diagnosis (JHSD0004) and is kept as given.
    d.icd10 = f::code(s, 10);
    d.outcome = f::code(s, 14);
    d.outcome_date = f::time(s, 15);
    d.onset = f::time(s, 16);
    d.onset_text = s.get(17);
    d.ranking = f::code(s, 18);
    // JHSD0007 code 1 is the main diagnosis (主病名).
    d.main = d.ranking.system == "JHSD0007" && d.ranking.code == "1";
    d.department = department;
    d.source = src;
    out.diagnoses.push_back(std::move(d));
  }
}

std::string_view encounter_kind(DataType t) {
  switch (t) {
    case DataType::kAdt01:
      return "attending_doctor_change";
    case DataType::kAdt12:
      return "outpatient_visit";
    case DataType::kAdt21:
      return "admission_planned";
    case DataType::kAdt22:
      return "admission";
    case DataType::kAdt31:
      return "leave_of_absence";
    case DataType::kAdt32:
      return "return_from_leave";
    case DataType::kAdt41:
      return "transfer_planned";
    case DataType::kAdt42:
      return "transfer";
    case DataType::kAdt51:
      return "discharge_planned";
    case DataType::kAdt52:
      return "discharge";
    default:
      return "other";
  }
}

// HL7 v2.5 cancellation trigger events for the ADT events SS-MIX2 stores.
bool is_cancel_trigger(std::string_view trigger) {
  for (std::string_view t :
       {"A11", "A12", "A13", "A25", "A26", "A27", "A32", "A33", "A38", "A52", "A53", "A55"}) {
    if (trigger == t)
      return true;
  }
  return false;
}

void map_encounter(DataType type, const hl7v2::Message& m, const clinical::Source& src,
                   std::uint32_t date, Content& out) {
  clinical::Encounter e;
  e.event = std::string(to_string(type));
  e.kind = std::string(encounter_kind(type));
  e.trigger = m.trigger_event();
  e.cancelled = is_cancel_trigger(e.trigger);
  e.status = e.cancelled ? "cancelled" : "active";
  if (const Segment* evn = m.find("EVN")) {
    e.event_at = f::time(*evn, 6);
    if (e.event_at.empty())
      e.event_at = f::time(*evn, 2);
  }
  if (const Segment* pv1 = m.find("PV1")) {
    e.patient_class = pv1->get(2);
    e.location = {pv1->get(3, 1), pv1->get(3, 2), pv1->get(3, 3)};
    e.prior_location = {pv1->get(6, 1), pv1->get(6, 2), pv1->get(6, 3)};
    e.attending_doctor = f::person(*pv1, 7);
    e.department = f::code(*pv1, 10);
    e.admitted_at = f::time(*pv1, 44);
    e.discharged_at = f::time(*pv1, 45);
  }
  if (date)
    e.date = f::iso_time(format_date_folder(date));
  e.source = src;
  out.encounters.push_back(std::move(e));
}

bool is_numeric(std::string_view s) {
  if (s.empty())
    return false;
  std::size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
  bool digit = false, dot = false;
  for (; i < s.size(); ++i) {
    if (s[i] >= '0' && s[i] <= '9') {
      digit = true;
    } else if (s[i] == '.' && !dot) {
      dot = true;
    } else {
      return false;
    }
  }
  return digit;
}

// The date the message says the data belongs to, as yyyymmdd (0 when it says none).
std::uint32_t message_date(DataType type, const hl7v2::Message& m) {
  std::string t;
  if (const Segment* orc = m.find("ORC"))
    t = orc->get(9);
  if (t.empty()) {
    if (const Segment* obr = m.find("OBR"))
      t = obr->get(7);
  }
  if (t.empty() && (type == DataType::kAdt22 || type == DataType::kAdt21)) {
    if (const Segment* pv1 = m.find("PV1"))
      t = pv1->get(44);
  }
  if (t.empty() && (type == DataType::kAdt52 || type == DataType::kAdt51)) {
    if (const Segment* pv1 = m.find("PV1"))
      t = pv1->get(45);
  }
  if (t.size() < 8)
    return 0;
  auto d = parse_date_folder(t.substr(0, 8));
  return d ? *d : 0;
}

void check_message(DataType type, const FileName& name, const hl7v2::Message& m,
                   const ReadOptions& options, std::vector<Issue>& issues) {
  const auto& segs = m.segments();
  if (segs.empty())
    return;
  const Segment& msh = segs.front();
  std::string msg_type = msh.get(9, 1);
  if (!msg_type.empty() && msg_type != expected_message_type(type)) {
    issues.push_back({Severity::kError, "segment 1 (MSH), field 9: message type " + msg_type +
                                            " does not belong in data type " +
                                            std::string(to_string(type)) + " (expects " +
                                            std::string(expected_message_type(type)) + ")"});
  } else if (msg_type.empty() && (segs.size() > 1 || options.reject_pid_mismatch)) {
    issues.push_back({Severity::kError, "segment 1 (MSH), field 9: message type is empty"});
  }
  std::string seq = msh.get(13);
  if (!seq.empty() && !is_numeric(seq)) {
    issues.push_back({Severity::kWarning,
                      "segment 1 (MSH), field 13: sequence number (NM) holds text, not a number"});
  }
  const Segment* pid = nullptr;
  std::size_t pid_index = 0;
  for (std::size_t i = 0; i < segs.size(); ++i) {
    if (segs[i].name() == "PID") {
      pid = &segs[i];
      pid_index = i + 1;
      break;
    }
  }
  if (!pid) {
    // A lone MSH is tolerated in a hospital's storage; strict reading (an upload) refuses it.
    if (segs.size() > 1 || options.reject_pid_mismatch)
      issues.push_back({Severity::kError, "no PID segment"});
  } else {
    std::string id = pid->get(3, 1);
    if (id != name.patient_id) {
      issues.push_back({options.reject_pid_mismatch ? Severity::kError : Severity::kWarning,
                        "segment " + std::to_string(pid_index) +
                            " (PID), field 3: patient id differs from the folder's patient id" +
                            (options.reject_pid_mismatch ? "" : " (the folder's id is used)")});
    }
  }
  if (name.date != 0) {
    std::uint32_t d = message_date(type, m);
    if (d != 0 && d != name.date) {
      issues.push_back({Severity::kWarning, "the date folder " + format_date_folder(name.date) +
                                                " differs from the message's order date " +
                                                format_date_folder(d)});
    }
  }
  for (std::size_t i = 0; i < segs.size(); ++i) {
    const Segment& s = segs[i];
    if (s.name() == "OBX" && s.get(2) == "NM") {
      std::string v = s.get(5);
      if (!v.empty() && !is_numeric(v)) {
        issues.push_back({Severity::kWarning, "segment " + std::to_string(i + 1) +
                                                  " (OBX), field 5: value type NM but the value "
                                                  "is not a number"});
      }
    }
  }
}

}  // namespace

bool ReadResult::usable() const {
  for (const auto& i : issues) {
    if (i.severity == Severity::kError)
      return false;
  }
  return name.has_value();
}

std::string ReadResult::describe(Severity min) const {
  std::string out;
  for (const auto& i : issues) {
    if (static_cast<int>(i.severity) < static_cast<int>(min))
      continue;
    if (!out.empty())
      out += "; ";
    out += i.message;
  }
  return out;
}

Content map_message(DataType type, const hl7v2::Message& m, const clinical::Source& src) {
  Content out;
  std::uint32_t date = 0;
  if (auto n = parse_file_name(src.file.substr(src.file.rfind('/') + 1)))
    date = n->date;
  switch (type) {
    case DataType::kAdt00:
      map_patient(m, src, out);
      break;
    case DataType::kAdt61:
      map_allergies(m, src, out);
      break;
    case DataType::kPpr01:
      map_diagnoses(m, src, out);
      break;
    case DataType::kOmd:
      orders::map_meals(m, src, out);
      break;
    case DataType::kOmp01:
      orders::map_prescriptions(m, src, out);
      break;
    case DataType::kOmp11:
      orders::map_administrations(m, src, "medication", out);
      break;
    case DataType::kOmp02:
      orders::map_injections(m, src, out);
      break;
    case DataType::kOmp12:
      orders::map_administrations(m, src, "injection", out);
      break;
    case DataType::kOml01:
      orders::map_lab_orders(m, src, out);
      break;
    case DataType::kOml11:
      orders::map_lab_results(m, src, out);
      break;
    case DataType::kOmg01:
      orders::map_studies(m, src, "radiology", "order", out);
      break;
    case DataType::kOmg11:
      orders::map_studies(m, src, "radiology", "report", out);
      break;
    case DataType::kOmg02:
      orders::map_studies(m, src, "endoscopy", "order", out);
      break;
    case DataType::kOmg12:
      orders::map_studies(m, src, "endoscopy", "report", out);
      break;
    case DataType::kOmg03:
      orders::map_studies(m, src, "physiology", "order", out);
      break;
    case DataType::kOmg13:
      orders::map_studies(m, src, "physiology", "report", out);
      break;
    default:
      map_encounter(type, m, src, date, out);
      break;
  }
  return out;
}

ReadResult read_standard_file(std::string_view relative_path, std::string_view bytes,
                              const ReadOptions& options) {
  ReadResult result;
  StandardPathCheck path = check_standard_path(relative_path);
  result.name = path.name;
  for (auto& p : path.problems)
    result.issues.push_back({Severity::kError, std::move(p)});

  hl7v2::ParseResult parsed = hl7v2::parse(bytes);
  if (!parsed.ok()) {
    result.issues.push_back(
        {Severity::kError, "not a valid HL7 v2 message: " + parsed.error->to_string()});
  }
  if (!result.name || !result.name->type)
    return result;
  DataType type = *result.name->type;
  // A broken message is still checked as far as it goes, so every problem is reported.
  check_message(type, *result.name, parsed.message, options, result.issues);
  if (!result.usable() || !options.map_content)
    return result;

  const FileName& n = *result.name;
  clinical::Source src;
  src.data_type = n.data_type_code;
  src.file = std::string(relative_path);
  char ts[24];
  std::snprintf(ts, sizeof ts, "%017llu", static_cast<unsigned long long>(n.timestamp));
  src.timestamp = ts;
  src.order_no = n.order_no;
  src.department = n.department;
  result.content = map_message(type, parsed.message, src);
  if (result.content.patient)
    result.content.patient->id = n.patient_id;
  return result;
}

}  // namespace hareyaka::ssmix2
