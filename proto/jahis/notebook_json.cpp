// The notebook as JSON, and as the clinical model's MedicationOrder (one per drug line):
//   rp            RP番号                  date      調剤等年月日 (ISO)
//   drug          {薬品コード, 薬品名称, drug_code_system(薬品コード種別)}
//   dose          {用量, unit {"", 単位名, ""}}
//   dosage_form   {剤形コード, its name, "JAHIS-FORM"}
//   usage         {用法コード, 用法名称, usage_code_system(用法コード種別)}
//   dispense      {調剤数量, unit {"", 調剤単位, ""}}; days = 調剤数量 when 調剤単位 is 日分
//   instructions  the drug's 281 and 291, the RP's 311 and 391, joined with " / "
//   orderer       {"", 処方-医師 氏名, ""}; department {"", 診療科名, ""}
//   prescription_types [{"dispensed", "調剤", "hareyaka-kind"}]
//   source        {"JAHIS", file_name, 調剤等年月日, "", 診療科名}
// The 401 服用注意 of the whole visit stays on the notebook (to_json), not on each order.
#include <nlohmann/json.hpp>

#include "proto/jahis/notebook.hpp"

namespace hareyaka::jahis {

using nlohmann::json;

std::string drug_code_system(std::string_view kind, std::string_view code) {
  if (kind == "1" || (kind.empty() && code.empty()))
    return {};
  if (kind == "2")
    return "RECEIPT";  // レセプト電算処理システム用コード (9 digits)
  if (kind == "3")
    return "MHLW";  // 厚生労働省コード: 薬価基準収載医薬品コード (12 characters)
  if (kind == "4")
    return "YJ";
  if (kind == "6") {
    if (code.size() == 7 || code.size() == 9 || code.size() == 13)
      return "HOT" + std::to_string(code.size());
    return "HOT";
  }
  return std::string(kind);  // not in the table: kept as written
}

std::string usage_code_system(std::string_view kind) {
  if (kind == "1" || kind.empty())
    return {};
  if (kind == "2")
    return "JAMISDP01";  // JAMI 標準用法コード, as the SS-MIX2 side names it
  return std::string(kind);
}

std::string dosage_form_name(std::string_view form_code) {
  static const std::pair<std::string_view, std::string_view> kForms[] = {
      {"1", "内服"}, {"2", "内滴"}, {"3", "屯服"}, {"4", "注射"},    {"5", "外用"},
      {"6", "浸煎"}, {"7", "湯"},   {"9", "材料"}, {"10", "その他"},
  };
  for (const auto& [code, name] : kForms) {
    if (code == form_code)
      return std::string(name);
  }
  return {};
}

namespace {

json institution_json(const Institution& i, bool with_contact) {
  json j = {{"name", i.name},
            {"prefecture", i.prefecture},
            {"score_table", i.score_table},
            {"code", i.code}};
  if (with_contact) {
    j["postal_code"] = i.postal_code;
    j["address"] = i.address;
    j["phone"] = i.phone;
  }
  return j;
}

json doctor_json(const Doctor& d) {
  return {{"name", d.name}, {"department", d.department}};
}

json rp_json(const Rp& rp) {
  json drugs = json::array();
  for (const Drug& d : rp.drugs) {
    drugs.push_back({{"line", d.line},
                     {"name", d.name},
                     {"dose", d.dose},
                     {"unit", d.unit},
                     {"code_system", d.code_system},
                     {"code", d.code},
                     {"general_name", d.general_name},
                     {"supplements", d.supplements},
                     {"cautions", d.cautions}});
  }
  const Usage& u = rp.usage;
  return {{"number", rp.number},
          {"drugs", std::move(drugs)},
          {"usage",
           {{"line", u.line},
            {"name", u.name},
            {"quantity", u.quantity},
            {"unit", u.unit},
            {"form_code", u.form_code},
            {"code_system", u.code_system},
            {"code", u.code}}},
          {"usage_supplements", rp.usage_supplements},
          {"cautions", rp.cautions},
          {"prescriber", institution_json(rp.prescriber, false)},
          {"doctor", doctor_json(rp.doctor)}};
}

json dispensing_json(const Dispensing& d) {
  json rps = json::array();
  for (const Rp& rp : d.rps)
    rps.push_back(rp_json(rp));
  json provided = json::array();
  for (const ProvidedInfo& p : d.provided)
    provided.push_back({{"text", p.text}, {"kind", p.kind}});
  json entries = json::array();
  for (const PatientEntry& e : d.patient_entries)
    entries.push_back({{"text", e.text}, {"date", e.date}});
  return {{"line", d.line},
          {"date", d.date},
          {"input_kind", d.input_kind},
          {"pharmacy", institution_json(d.pharmacy, true)},
          {"pharmacist", {{"name", d.pharmacist.name}, {"contact", d.pharmacist.contact}}},
          {"prescriber", institution_json(d.prescriber, false)},
          {"doctor", doctor_json(d.doctor)},
          {"rps", std::move(rps)},
          {"cautions", d.cautions},
          {"provided", std::move(provided)},
          {"remaining", d.remaining},
          {"notes", d.notes},
          {"patient_entries", std::move(entries)}};
}

std::string join(const std::vector<const std::vector<std::string>*>& lists) {
  std::string out;
  for (const auto* list : lists) {
    for (const std::string& s : *list) {
      if (s.empty())
        continue;
      if (!out.empty())
        out += " / ";
      out += s;
    }
  }
  return out;
}

}  // namespace

json to_json(const Notebook& nb) {
  const Patient& p = nb.patient;
  json remarks = json::array();
  for (const PatientRemark& r : nb.patient_remarks)
    remarks.push_back({{"kind", r.kind}, {"text", r.text}});
  json otc = json::array();
  for (const OtcDrug& o : nb.otc_drugs)
    otc.push_back({{"name", o.name}, {"start", o.start}, {"end", o.end}});
  json memos = json::array();
  for (const Memo& m : nb.memos)
    memos.push_back({{"text", m.text}, {"date", m.date}});
  json dispensings = json::array();
  for (const Dispensing& d : nb.dispensings)
    dispensings.push_back(dispensing_json(d));
  json warnings = json::array();
  for (const Warning& w : nb.warnings)
    warnings.push_back({{"line", w.line}, {"message", w.message}});
  return {{"format", "JAHIS"},
          {"version", nb.version},
          {"output_kind", nb.output_kind},
          {"encoding", nb.encoding},
          {"patient",
           {{"name", p.name},
            {"kana", p.kana},
            {"sex", p.sex},
            {"birth_date", p.birth_date},
            {"postal_code", p.postal_code},
            {"address", p.address},
            {"phone", p.phone},
            {"emergency_contact", p.emergency_contact},
            {"blood_type", p.blood_type},
            {"weight", p.weight}}},
          {"patient_remarks", std::move(remarks)},
          {"otc_drugs", std::move(otc)},
          {"memos", std::move(memos)},
          {"dispensings", std::move(dispensings)},
          {"warnings", std::move(warnings)}};
}

std::vector<clinical::MedicationOrder> to_medication_orders(const Notebook& nb,
                                                            const std::string& file_name) {
  std::vector<clinical::MedicationOrder> out;
  for (const Dispensing& d : nb.dispensings) {
    for (const Rp& rp : d.rps) {
      const Usage& u = rp.usage;
      for (const Drug& drug : rp.drugs) {
        clinical::MedicationOrder o;
        o.rp = std::to_string(rp.number);
        o.date = d.date;
        o.drug = {drug.code, drug.name, drug_code_system(drug.code_system, drug.code), "", "", ""};
        o.dose = {drug.dose, {"", drug.unit, "", "", "", ""}};
        if (!u.form_code.empty())
          o.dosage_form = {u.form_code, dosage_form_name(u.form_code), "JAHIS-FORM", "", "", ""};
        o.usage = {u.code, u.name, u.code.empty() ? "" : usage_code_system(u.code_system),
                   "",     "",     ""};
        o.dispense = {u.quantity, {"", u.unit, "", "", "", ""}};
        if (u.unit == "日分")
          o.days = u.quantity;
        o.instructions =
            join({&drug.supplements, &drug.cautions, &rp.usage_supplements, &rp.cautions});
        o.prescription_types.push_back({"dispensed", "調剤", "hareyaka-kind", "", "", ""});
        o.orderer.family = rp.doctor.name;
        o.department.display = rp.doctor.department;
        o.source.data_type = "JAHIS";
        o.source.file = file_name;
        o.source.timestamp = d.date;
        o.source.department = rp.doctor.department;
        out.push_back(std::move(o));
      }
    }
  }
  return out;
}

}  // namespace hareyaka::jahis
