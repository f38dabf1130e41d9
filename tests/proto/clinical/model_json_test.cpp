#include <gtest/gtest.h>

#include "proto/clinical/model.hpp"

namespace hareyaka::clinical {
namespace {

TEST(ClinicalJson, HasAStableShapeAndRoundTrips) {
  MedicationOrder o;
  o.order_no = "1";
  o.drug = {"108665201", "ダーゼン錠", "HOT9", "", "", ""};
  o.dose = {"1", {"TAB", "錠", "MR9P", "", "", ""}};
  o.days = "5";
  nlohmann::json j = o;
  EXPECT_EQ(j["drug"]["code"], "108665201");
  EXPECT_EQ(j["drug"]["system"], "HOT9");
  EXPECT_FALSE(j["drug"].contains("alt_code"));  // alternate only when present
  EXPECT_EQ(j["dose"]["value"], "1");
  EXPECT_EQ(j["dose"]["unit"]["code"], "TAB");
  // Every documented key is present even when empty (consumers need no existence checks).
  for (const char* key :
       {"order_no", "rp", "date", "drug", "dose", "dosage_form", "daily_dose", "dispense", "usage",
        "days", "start", "end", "route", "instructions", "prescription_types", "patient_class",
        "department", "orderer", "source"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  MedicationOrder back = j.get<MedicationOrder>();
  EXPECT_EQ(back.drug.code, "108665201");
  EXPECT_EQ(back.dose.unit.display, "錠");
  EXPECT_EQ(back.days, "5");
}

TEST(ClinicalJson, ReadsOlderJsonWithMissingKeys) {
  Diagnosis d = nlohmann::json{{"name", {{"code", "20054174"}}}, {"main", true}}.get<Diagnosis>();
  EXPECT_EQ(d.name.code, "20054174");
  EXPECT_TRUE(d.main);
  EXPECT_EQ(d.icd10.code, "");
  Code c;
  c.code = "K297";
  c.system = "I10";
  c.alt_code = "O";
  nlohmann::json cj = c;
  EXPECT_EQ(cj["alt_code"], "O");
  EXPECT_EQ(cj.get<Code>().alt_code, "O");
}

}  // namespace
}  // namespace hareyaka::clinical
