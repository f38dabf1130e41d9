// The JAHIS お薬手帳 reader on the sample files of tests/data/jahis (UTF-8 LF, UTF-8 CRLF with
// two dispensings, Shift_JIS), its JSON and its MedicationOrders.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "proto/jahis/notebook.hpp"
#include "tests/support/data.hpp"

namespace hareyaka::jahis {
namespace {

std::string sample(const std::string& name) {
  const std::string path = testing::test_data_dir() + "/jahis/" + name;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot open " << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(JahisNotebook, ReadsTheSimpleFile) {
  const Notebook nb = parse_notebook(sample("simple.csv"));
  EXPECT_EQ(nb.version, "JAHISTC08");
  EXPECT_EQ(nb.output_kind, "1");
  EXPECT_EQ(nb.encoding, "UTF-8");
  EXPECT_EQ(nb.patient.name, "晴山 花子");
  EXPECT_EQ(nb.patient.kana, "ハレヤマ ハナコ");
  EXPECT_EQ(nb.patient.sex, "F");
  EXPECT_EQ(nb.patient.birth_date, "1962-04-15");
  EXPECT_EQ(nb.patient.postal_code, "760-0019");
  EXPECT_EQ(nb.patient.address, "香川県高松市サンポート１－１");
  EXPECT_EQ(nb.patient.phone, "087-000-0001");
  EXPECT_EQ(nb.patient.blood_type, "A型");
  EXPECT_EQ(nb.patient.weight, "52.5");
  ASSERT_EQ(nb.dispensings.size(), 1u);
  const Dispensing& d = nb.dispensings[0];
  EXPECT_EQ(d.line, 3u);
  EXPECT_EQ(d.date, "2026-12-01");
  EXPECT_EQ(d.input_kind, "1");
  EXPECT_EQ(d.pharmacy.name, "はれやか薬局 中央店");
  EXPECT_EQ(d.pharmacy.prefecture, "37");
  EXPECT_EQ(d.pharmacy.score_table, "4");
  EXPECT_EQ(d.pharmacy.code, "1234567");
  EXPECT_EQ(d.pharmacy.postal_code, "760-0019");
  EXPECT_EQ(d.pharmacy.address, "香川県高松市サンポート２－２");
  EXPECT_EQ(d.pharmacy.phone, "087-000-0002");
  EXPECT_EQ(d.pharmacist.name, "薬剤師 一郎");
  EXPECT_EQ(d.prescriber.name, "はれやか総合病院");
  EXPECT_EQ(d.prescriber.code, "7654321");
  EXPECT_EQ(d.doctor.name, "医師 次郎");
  EXPECT_EQ(d.doctor.department, "内科");
  ASSERT_EQ(d.rps.size(), 1u);
  const Rp& rp = d.rps[0];
  EXPECT_EQ(rp.number, 1);
  ASSERT_EQ(rp.drugs.size(), 1u);
  EXPECT_EQ(rp.drugs[0].name, "アムロジピン錠５ｍｇ「ハレ」");
  EXPECT_EQ(rp.drugs[0].dose, "1");
  EXPECT_EQ(rp.drugs[0].unit, "錠");
  EXPECT_EQ(rp.drugs[0].code_system, "2");
  EXPECT_EQ(rp.drugs[0].code, "620000001");
  EXPECT_EQ(rp.usage.line, 9u);
  EXPECT_EQ(rp.usage.name, "１日１回朝食後");
  EXPECT_EQ(rp.usage.quantity, "28");
  EXPECT_EQ(rp.usage.unit, "日分");
  EXPECT_EQ(rp.usage.form_code, "1");
  EXPECT_EQ(rp.usage.code_system, "1");
  EXPECT_EQ(rp.usage.code, "");
  EXPECT_TRUE(nb.warnings.empty());
}

TEST(JahisNotebook, ReadsSeveralDispensingsWithEveryRecordKind) {
  const Notebook nb = parse_notebook(sample("multi.csv"));
  EXPECT_EQ(nb.version, "JAHISTC07");
  EXPECT_EQ(nb.patient.birth_date, "1960-03-03");  // S350303
  EXPECT_EQ(nb.patient.sex, "M");
  EXPECT_EQ(nb.patient.emergency_contact, "妻 087-000-0004");
  ASSERT_EQ(nb.patient_remarks.size(), 1u);
  EXPECT_EQ(nb.patient_remarks[0].kind, "1");
  EXPECT_EQ(nb.patient_remarks[0].text, "ペニシリン系抗生物質で発疹");
  ASSERT_EQ(nb.otc_drugs.size(), 1u);
  EXPECT_EQ(nb.otc_drugs[0].start, "2026-11-01");
  EXPECT_EQ(nb.otc_drugs[0].end, "2026-11-05");
  ASSERT_EQ(nb.memos.size(), 1u);
  EXPECT_EQ(nb.memos[0].text, "血圧は朝晩に記録する");  // quoted
  EXPECT_EQ(nb.memos[0].date, "2026-11-10");

  ASSERT_EQ(nb.dispensings.size(), 2u);
  const Dispensing& first = nb.dispensings[0];
  EXPECT_EQ(first.date, "2026-11-20");  // R081120
  EXPECT_EQ(first.pharmacy.code, "0123456");
  EXPECT_EQ(first.pharmacist.contact, "087-000-0005");
  ASSERT_EQ(first.rps.size(), 2u);
  const Rp& rp1 = first.rps[0];
  ASSERT_EQ(rp1.drugs.size(), 2u);
  EXPECT_EQ(rp1.drugs[0].code_system, "4");
  EXPECT_EQ(rp1.drugs[0].code, "2171022F1000");
  EXPECT_TRUE(rp1.drugs[0].supplements.empty());
  EXPECT_EQ(rp1.drugs[1].general_name, "カンデサルタン　シレキセチル錠８ｍｇ");
  EXPECT_EQ(rp1.drugs[1].supplements, std::vector<std::string>{"粉砕不可"});
  EXPECT_EQ(rp1.drugs[1].cautions,
            std::vector<std::string>{"めまいがしたら、すぐに相談してください"});
  EXPECT_EQ(rp1.usage.code_system, "2");
  EXPECT_EQ(rp1.usage.code, "1013044400000000");
  const Rp& rp2 = first.rps[1];
  EXPECT_EQ(rp2.usage.name, "疼痛時,１回１錠");  // a quoted comma stays in its field
  EXPECT_EQ(rp2.usage.quantity, "10");
  EXPECT_EQ(rp2.usage.unit, "回分");
  EXPECT_EQ(rp2.usage_supplements, std::vector<std::string>{"６時間以上あけること"});
  EXPECT_EQ(rp2.cautions, std::vector<std::string>{"胃の不調があれば中止して相談してください"});
  EXPECT_EQ(first.cautions, std::vector<std::string>{"車の運転に注意してください"});
  ASSERT_EQ(first.provided.size(), 1u);
  EXPECT_EQ(first.provided[0].text, "入院中にめまいの副作用あり");
  EXPECT_EQ(first.provided[0].kind, "30");
  EXPECT_EQ(first.remaining, std::vector<std::string>{"アムロジピンが３錠残薬"});
  EXPECT_EQ(first.notes, std::vector<std::string>{"お薬手帳の\"持参\"をお願いします"});
  ASSERT_EQ(first.patient_entries.size(), 1u);
  EXPECT_EQ(first.patient_entries[0].date, "2026-11-21");

  const Dispensing& second = nb.dispensings[1];
  EXPECT_EQ(second.date, "2026-12-04");
  EXPECT_EQ(second.prescriber.score_table, "3");
  EXPECT_EQ(second.doctor.name, "歯科医師 三郎");  // the first 55 of the dispensing
  ASSERT_EQ(second.rps.size(), 3u);
  EXPECT_EQ(second.rps[0].doctor.name, "歯科医師 三郎");
  EXPECT_EQ(second.rps[1].doctor.name, "歯科医師 三郎");
  EXPECT_EQ(second.rps[2].doctor.name, "歯科医師 四郎");  // after the second 55
  EXPECT_EQ(second.rps[2].doctor.department, "口腔外科");
  EXPECT_EQ(second.rps[1].usage.form_code, "5");

  // The unknown record 999 is reported with its line (CRLF lines count as one each).
  ASSERT_EQ(nb.warnings.size(), 1u);
  EXPECT_EQ(nb.warnings[0].line, 25u);
  EXPECT_EQ(nb.warnings[0].message, "unknown record number 999, skipped");
}

TEST(JahisNotebook, ReadsShiftJis) {
  const Notebook nb = parse_notebook(sample("sjis.csv"));
  EXPECT_EQ(nb.encoding, "CP932");
  EXPECT_EQ(nb.version, "JAHISTC06");
  EXPECT_EQ(nb.patient.name, "晴山 次郎");
  EXPECT_EQ(nb.patient.kana, "ﾊﾚﾔﾏ ｼﾞﾛｳ");  // half-width katakana are one byte each
  EXPECT_EQ(nb.patient.address, "");
  ASSERT_EQ(nb.patient_remarks.size(), 1u);
  EXPECT_EQ(nb.patient_remarks[0].text, "胃潰瘍（2018年～）");  // 0x8160, CP932's ～
  ASSERT_EQ(nb.dispensings.size(), 1u);
  const Dispensing& d = nb.dispensings[0];
  EXPECT_EQ(d.date, "2019-04-25");  // H310425
  EXPECT_EQ(d.pharmacy.phone, "087-000-0006");
  ASSERT_EQ(d.rps.size(), 1u);
  ASSERT_EQ(d.rps[0].drugs.size(), 2u);
  EXPECT_EQ(d.rps[0].drugs[0].name, "ﾌｧﾓﾁｼﾞﾝ錠20mg「ﾊﾚ」");
  EXPECT_EQ(d.rps[0].drugs[1].name, "レバミピド錠１００ｍｇ「ハレ」");
  // Second bytes 0x5C must not have been read as anything but part of their character.
  EXPECT_EQ(d.notes, std::vector<std::string>{"ソ能十表の字も読めること"});
}

TEST(JahisNotebook, AcceptsAByteOrderMarkAndNoFinalLineEnd) {
  const Notebook nb = parse_notebook(
      "\xEF\xBB\xBFJAHISTC08,1\r\n\r\n1,晴山 花子,2,19620415\r\n5,20261201,1\r\n"
      "201,1,薬,1,錠,1,,1\r\n301,1,朝食後,7,日分,1,1,,1");
  EXPECT_EQ(nb.version, "JAHISTC08");
  ASSERT_EQ(nb.dispensings.size(), 1u);
  EXPECT_EQ(nb.dispensings[0].rps[0].usage.line, 6u);
}

TEST(JahisNotebook, DatesInBothForms) {
  auto date_of = [](const std::string& value) {
    return parse_notebook("JAHISTC08,1\n5," + value + ",1\n").dispensings.at(0).date;
  };
  EXPECT_EQ(date_of("20240229"), "2024-02-29");
  EXPECT_EQ(date_of("M450730"), "1912-07-30");
  EXPECT_EQ(date_of("T010730"), "1912-07-30");
  EXPECT_EQ(date_of("S640107"), "1989-01-07");
  EXPECT_EQ(date_of("H010108"), "1989-01-08");
  EXPECT_EQ(date_of("R010501"), "2019-05-01");
}

TEST(JahisNotebook, ToJsonKeepsEveryPart) {
  const nlohmann::json j = to_json(parse_notebook(sample("multi.csv")));
  EXPECT_EQ(j["format"], "JAHIS");
  EXPECT_EQ(j["version"], "JAHISTC07");
  EXPECT_EQ(j["patient"]["kana"], "ハレヤマ タロウ");
  ASSERT_EQ(j["dispensings"].size(), 2u);
  const nlohmann::json& first = j["dispensings"][0];
  EXPECT_EQ(first["date"], "2026-11-20");
  EXPECT_EQ(first["pharmacy"]["name"], "はれやか薬局 駅前店");
  EXPECT_EQ(first["rps"][1]["usage"]["name"], "疼痛時,１回１錠");
  EXPECT_EQ(first["rps"][0]["drugs"][1]["supplements"][0], "粉砕不可");
  EXPECT_EQ(first["provided"][0]["kind"], "30");
  EXPECT_EQ(j["warnings"][0]["line"], 25);
  // The JSON parses back as the same text (no invalid UTF-8 slipped through).
  EXPECT_EQ(nlohmann::json::parse(j.dump()), j);
}

TEST(JahisNotebook, OneMedicationOrderPerDrugLine) {
  const Notebook nb = parse_notebook(sample("multi.csv"));
  const auto orders = to_medication_orders(nb, "pharmacy/2026/multi.csv");
  ASSERT_EQ(orders.size(), 6u);

  const clinical::MedicationOrder& yj = orders[0];
  EXPECT_EQ(yj.rp, "1");
  EXPECT_EQ(yj.date, "2026-11-20");
  EXPECT_EQ(yj.drug.code, "2171022F1000");
  EXPECT_EQ(yj.drug.display, "アムロジピン錠５ｍｇ「ハレ」");
  EXPECT_EQ(yj.drug.system, "YJ");
  EXPECT_EQ(yj.dose.value, "1");
  EXPECT_EQ(yj.dose.unit.display, "錠");
  EXPECT_EQ(yj.usage.code, "1013044400000000");
  EXPECT_EQ(yj.usage.display, "１日１回朝食後");
  EXPECT_EQ(yj.usage.system, "JAMISDP01");
  EXPECT_EQ(yj.dispense.value, "14");
  EXPECT_EQ(yj.dispense.unit.display, "日分");
  EXPECT_EQ(yj.days, "14");
  EXPECT_EQ(yj.dosage_form.code, "1");
  EXPECT_EQ(yj.dosage_form.display, "内服");
  EXPECT_EQ(yj.orderer.family, "医師 次郎");
  EXPECT_EQ(yj.department.display, "循環器内科");
  ASSERT_EQ(yj.prescription_types.size(), 1u);
  EXPECT_EQ(yj.prescription_types[0].code, "dispensed");
  EXPECT_EQ(yj.prescription_types[0].display, "調剤");
  EXPECT_EQ(yj.prescription_types[0].system, "hareyaka-kind");
  EXPECT_EQ(yj.source.data_type, "JAHIS");
  EXPECT_EQ(yj.source.file, "pharmacy/2026/multi.csv");
  EXPECT_EQ(yj.source.timestamp, "2026-11-20");
  EXPECT_EQ(yj.instructions, "");

  const clinical::MedicationOrder& hot = orders[1];
  EXPECT_EQ(hot.drug.system, "HOT9");
  EXPECT_EQ(hot.instructions, "粉砕不可 / めまいがしたら、すぐに相談してください");

  const clinical::MedicationOrder& prn = orders[2];
  EXPECT_EQ(prn.rp, "2");
  EXPECT_EQ(prn.drug.system, "RECEIPT");
  EXPECT_EQ(prn.usage.system, "");  // 用法コード種別 1: no code
  EXPECT_EQ(prn.days, "");          // 回分, not 日分
  EXPECT_EQ(prn.dispense.value, "10");
  EXPECT_EQ(prn.dosage_form.display, "屯服");
  EXPECT_EQ(prn.instructions, "６時間以上あけること / 胃の不調があれば中止して相談してください");

  EXPECT_EQ(orders[3].date, "2026-12-04");
  EXPECT_EQ(orders[3].orderer.family, "歯科医師 三郎");
  EXPECT_EQ(orders[5].orderer.family, "歯科医師 四郎");
  EXPECT_EQ(orders[5].department.display, "口腔外科");

  // The model's JSON keys are the ones the portal reads.
  const nlohmann::json j = orders[0];
  EXPECT_EQ(j["drug"]["system"], "YJ");
  EXPECT_EQ(j["source"]["data_type"], "JAHIS");
}

TEST(JahisNotebook, CodeSystems) {
  EXPECT_EQ(drug_code_system("1", ""), "");
  EXPECT_EQ(drug_code_system("2", "620000001"), "RECEIPT");
  EXPECT_EQ(drug_code_system("3", "2171022F1022"), "MHLW");
  EXPECT_EQ(drug_code_system("4", "2171022F1000"), "YJ");
  EXPECT_EQ(drug_code_system("6", "1122334"), "HOT7");
  EXPECT_EQ(drug_code_system("6", "1122334010101"), "HOT13");
  EXPECT_EQ(drug_code_system("6", "12345"), "HOT");
  EXPECT_EQ(drug_code_system("5", "X1"), "5");  // not in the table: the kind as written
  EXPECT_EQ(usage_code_system("2"), "JAMISDP01");
  EXPECT_EQ(usage_code_system("3"), "3");
  EXPECT_EQ(dosage_form_name("10"), "その他");
  EXPECT_EQ(dosage_form_name("8"), "");
}

}  // namespace
}  // namespace hareyaka::jahis
