// Mapping of the SS-MIX2 guideline's sample messages (NHO testing tool data) to the model.
#include "proto/ssmix2/mapping.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/support/data.hpp"

namespace hareyaka::ssmix2 {
namespace {

std::string sample_root() {
  return testing::test_data_dir() + "/ssmix2-nho/sampleData";
}

// Reads the one file under <root>/<rel_dir> and maps it.
ReadResult read_sample(const std::string& rel_dir) {
  std::filesystem::path dir = sample_root() + "/" + rel_dir;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return read_standard_file(rel_dir + "/" + e.path().filename().string(), ss.str());
  }
  ADD_FAILURE() << "no file in " << dir;
  return {};
}

TEST(Ssmix2Mapping, Demographics) {
  ReadResult r = read_sample("999/901/9999013/-/ADT-00");
  ASSERT_TRUE(r.usable()) << r.describe();
  EXPECT_TRUE(r.issues.empty()) << r.describe();
  ASSERT_TRUE(r.content.patient);
  const auto& p = *r.content.patient;
  EXPECT_EQ(p.id, "9999013");
  EXPECT_EQ(p.name_kanji.family, "患者");
  EXPECT_EQ(p.name_kanji.given, "太郎");
  EXPECT_EQ(p.name_kana.family, "カンジャ");
  EXPECT_EQ(p.name_kana.given, "タロウ");
  EXPECT_EQ(p.sex, "M");
  EXPECT_EQ(p.birth_date, "1948-04-05");
  ASSERT_EQ(p.addresses.size(), 1u);
  EXPECT_EQ(p.addresses[0].postal_code, "422-8033");
  EXPECT_EQ(p.addresses[0].text, "静岡県静岡市登呂１−３−５");
  ASSERT_EQ(p.phones.size(), 3u);
  EXPECT_EQ(p.phones[0].number, "054-000-0000");
  EXPECT_EQ(p.phones[0].use, "PRN");
  ASSERT_EQ(p.observations.size(), 3u);
  EXPECT_EQ(p.observations[0].code.code, "9N001000000000001");
  EXPECT_EQ(p.observations[0].value, "167.8");
  EXPECT_EQ(p.observations[0].unit.code, "cm");
  EXPECT_EQ(p.observations[2].value_code.code, "A");
  ASSERT_EQ(p.allergies.size(), 1u);
  EXPECT_EQ(p.allergies[0].allergen.display, "ペニシリン");
  EXPECT_EQ(p.updated_at, "2011-12-19T12:15:51");
}

TEST(Ssmix2Mapping, LabResultWithUnitAndRange) {
  ReadResult r = read_sample("999/901/9999013/20111220/OML-11");
  ASSERT_TRUE(r.usable()) << r.describe();
  ASSERT_EQ(r.content.lab_results.size(), 1u);
  const auto& lr = r.content.lab_results[0];
  EXPECT_EQ(lr.order_no, "000000011000354");
  EXPECT_EQ(lr.specimen.display, "血清");
  ASSERT_EQ(lr.items.size(), 3u);
  EXPECT_EQ(lr.items[1].code.code, "3A010000002327101");
  EXPECT_EQ(lr.items[1].code.display, "総蛋白");
  EXPECT_EQ(lr.items[1].code.system, "JC10");
  EXPECT_EQ(lr.items[1].value, "7.2");
  EXPECT_EQ(lr.items[1].unit.code, "g/dl");
  EXPECT_EQ(lr.items[1].range, "6.70-8.3");
  EXPECT_EQ(lr.items[1].status, "F");
  // PID-3 carries another id in this guideline sample: used under the folder, with a warning.
  ASSERT_EQ(r.issues.size(), 1u);
  EXPECT_EQ(r.issues[0].severity, Severity::kWarning);
  EXPECT_NE(r.issues[0].message.find("segment 2 (PID), field 3"), std::string::npos);
}

TEST(Ssmix2Mapping, PrescriptionDrugCodeDoseUsageDays) {
  ReadResult r = read_sample("999/901/9999013/20110701/OMP-01");
  ASSERT_TRUE(r.usable()) << r.describe();
  ASSERT_EQ(r.content.prescriptions.size(), 3u);
  const auto& rx = r.content.prescriptions[0];
  EXPECT_EQ(rx.drug.code, "108665201");
  EXPECT_EQ(rx.drug.system, "HOT9");
  EXPECT_EQ(rx.drug.display, "ダーゼン錠（５mg)");
  EXPECT_EQ(rx.dose.value, "1");
  EXPECT_EQ(rx.dose.unit.code, "TAB");
  EXPECT_EQ(rx.daily_dose.value, "3");
  EXPECT_EQ(rx.dispense.value, "15");
  EXPECT_EQ(rx.usage.code, "1013044400000000");
  EXPECT_EQ(rx.usage.display, "内服・経口・１日３回朝昼夕食後");
  EXPECT_EQ(rx.days, "5");
  EXPECT_EQ(rx.route.code, "PO");
  EXPECT_EQ(rx.rp, "1");
  EXPECT_EQ(rx.department.display, "内科");
  EXPECT_EQ(r.content.prescriptions[2].drug.code, "100607002");
  EXPECT_EQ(r.content.prescriptions[2].dose.value, "50");
  EXPECT_EQ(r.content.prescriptions[2].dose.unit.code, "MG");
  EXPECT_EQ(r.content.prescriptions[2].days, "14");
}

TEST(Ssmix2Mapping, DiagnosisWithIcd10) {
  ReadResult r = read_sample("999/901/9999013/-/PPR-01");
  ASSERT_TRUE(r.usable()) << r.describe();
  ASSERT_EQ(r.content.diagnoses.size(), 1u);
  const auto& d = r.content.diagnoses[0];
  EXPECT_EQ(d.name.code, "20054174");
  EXPECT_EQ(d.name.system, "MDCDX2");
  EXPECT_EQ(d.name.display, "胃炎");
  EXPECT_EQ(d.icd10.code, "K297");
  EXPECT_EQ(d.icd10.system, "I10");
  EXPECT_TRUE(d.main);
  EXPECT_EQ(d.established, "2011-08-31");
  EXPECT_EQ(d.resolved, "2011-09-15");
  EXPECT_EQ(d.outcome.display, "回復せず");
}

TEST(Ssmix2Mapping, StudiesCarryTheDicomStudyUid) {
  ReadResult r = read_sample("999/901/9999013/20111220/OMG-11");
  ASSERT_TRUE(r.usable()) << r.describe();
  ASSERT_EQ(r.content.studies.size(), 1u);
  const auto& s = r.content.studies[0];
  EXPECT_EQ(s.category, "radiology");
  EXPECT_EQ(s.kind, "report");
  ASSERT_EQ(s.study_uids.size(), 1u);
  EXPECT_EQ(s.study_uids[0], "1.2.392.1114.20045.43233.5.300001");
  EXPECT_EQ(s.modality.code, "US");
  ASSERT_EQ(s.procedures.size(), 3u);
  EXPECT_EQ(s.procedures[2].code.system, "JJ1017");
  ASSERT_EQ(s.procedures[2].performed.size(), 1u);

  ReadResult ecg = read_sample("999/901/9999013/20111220/OMG-13");
  ASSERT_TRUE(ecg.usable()) << ecg.describe();
  const auto& obs = ecg.content.studies.at(0).observations;
  ASSERT_GE(obs.size(), 2u);
  EXPECT_EQ(obs[0].value, "心筋虚血疑い");
  EXPECT_EQ(obs[1].value, "67");
  EXPECT_EQ(obs[1].unit.code, "bpm");
}

TEST(Ssmix2Mapping, EncountersAllergiesInjectionsAdministrationsMeals) {
  ReadResult adm = read_sample("999/901/9999013/20111120/ADT-22");
  ASSERT_EQ(adm.content.encounters.size(), 1u);
  EXPECT_EQ(adm.content.encounters[0].kind, "admission");
  EXPECT_EQ(adm.content.encounters[0].admitted_at, "2011-11-20T16:00");
  EXPECT_EQ(adm.content.encounters[0].location.room, "302");
  EXPECT_FALSE(adm.content.encounters[0].cancelled);

  ReadResult al = read_sample("999/901/9999013/-/ADT-61");
  ASSERT_EQ(al.content.allergies.size(), 4u);
  EXPECT_EQ(al.content.allergies[1].allergen.code, "5A1002411023006");
  EXPECT_EQ(al.content.allergies[1].allergen.display, "ソバ");
  EXPECT_EQ(al.content.allergies[1].onset_text, "小学校低学年の頃");
  EXPECT_EQ(al.content.allergies[0].onset, "1996-01");

  ReadResult inj = read_sample("999/901/9999013/20110701/OMP-02");
  ASSERT_EQ(inj.content.injections.size(), 3u);
  EXPECT_EQ(inj.content.injections[0].components.size(), 2u);
  EXPECT_EQ(inj.content.injections[0].components[0].drug.code, "620007329");
  EXPECT_EQ(inj.content.injections[0].rate.value, "102");

  ReadResult ras = read_sample("999/901/9999013/20110701/OMP-12");
  ASSERT_EQ(ras.content.administrations.size(), 2u);
  EXPECT_EQ(ras.content.administrations[0].kind, "injection");
  EXPECT_EQ(ras.content.administrations[0].note, "左手に実施");
  EXPECT_EQ(ras.content.administrations[0].route.code, "IV");

  ReadResult meal = read_sample("999/901/9999013/20111013/OMD");
  ASSERT_EQ(meal.content.meals.size(), 1u);
  EXPECT_EQ(meal.content.meals[0].diets.at(0).text, "塩分控えめ");
  EXPECT_EQ(meal.content.meals[0].timing.code, "TID");
}

TEST(Ssmix2Mapping, BrokenCasesAreReportedWithEveryReason) {
  ReadResult junk = read_sample("000/000/0000001/20000401/ADT-31");
  EXPECT_FALSE(junk.usable());
  std::string why = junk.describe();
  EXPECT_NE(why.find("patient id differs from its patient folder"), std::string::npos) << why;
  EXPECT_NE(why.find("not ISO-2022-JP text"), std::string::npos) << why;

  std::filesystem::path dir = sample_root() + "/000/000/0000001/20000401/OMP-11";
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    ++files;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    ReadResult r = read_standard_file(
        "000/000/0000001/20000401/OMP-11/" + e.path().filename().string(), ss.str());
    EXPECT_FALSE(r.usable());
    std::string d = r.describe();
    EXPECT_NE(d.find("MSH is allowed only as the first segment"), std::string::npos) << d;
    EXPECT_NE(d.find("MSH), field 13"), std::string::npos) << d;
    EXPECT_NE(d.find("(PID), field 3: patient id differs"), std::string::npos) << d;
    EXPECT_NE(d.find("date folder 20000401 differs from the message's order date 20110630"),
              std::string::npos)
        << d;
  }
  EXPECT_EQ(files, 2);
}

TEST(Ssmix2Mapping, StrictPidPolicyRejectsMismatches) {
  std::filesystem::path dir = sample_root() + "/999/901/9999013/20111220/OML-11";
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    ReadOptions strict;
    strict.reject_pid_mismatch = true;
    ReadResult r = read_standard_file(
        "999/901/9999013/20111220/OML-11/" + e.path().filename().string(), ss.str(), strict);
    EXPECT_FALSE(r.usable());
  }
}

}  // namespace
}  // namespace hareyaka::ssmix2
