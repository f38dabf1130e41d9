// FHIR in (issue #17): JP-CLINS documents and JP Core resources into the clinical model, and
// what is refused, whole or per entry, with reasons that name elements and never values.
#include "proto/fhir_in/fhir_in.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "common/error.hpp"

namespace hareyaka::fhir_in {
namespace {

using nlohmann::json;

std::string read(const std::string& name) {
  std::ifstream in(std::string(HAREYAKA_TEST_DATA_DIR) + "/fhir/" + name, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

json sample(const std::string& name) {
  return json::parse(read(name));
}

// Every entry error's reason, for EXPECT messages.
std::string reasons(const Parsed& p) {
  std::string out;
  for (const auto& e : p.errors)
    out += std::to_string(e.index) + " " + e.resource_type + ": " + e.reason + "\n";
  return out;
}

TEST(FhirIn, ReadsAJpClinsEReferralDocument) {
  const Parsed p = parse(read("ereferral.json"), "20261120_ab.json");
  ASSERT_TRUE(p.ok()) << reasons(p);
  EXPECT_EQ(p.shape, "document");
  ASSERT_TRUE(p.document);
  EXPECT_EQ(p.document->type.code, "57133-1");
  EXPECT_EQ(p.document->type.system, "LN");
  EXPECT_EQ(p.document->title, "診療情報提供書");
  EXPECT_EQ(p.document->date, "2026-11-20T10:15:00");
  ASSERT_TRUE(p.patient);
  EXPECT_EQ(p.patient->id, "F2000001");  // the urn:oid:1.2.392.100495.20.3.51.1 identifier
  EXPECT_EQ(p.patient->name_kanji.family, "晴山");
  EXPECT_EQ(p.patient->name_kana.given, "ハナコ");
  EXPECT_EQ(p.patient->sex, "F");
  EXPECT_EQ(p.patient->birth_date, "1962-04-15");
  ASSERT_EQ(p.patient->addresses.size(), 1u);
  EXPECT_EQ(p.patient->addresses[0].postal_code, "760-0019");
  ASSERT_EQ(p.diagnoses.size(), 1u);
  // MEDIS preferred as the name, read back from urn:oid into the model's system name; the
  // ICD-10 coding also as icd10.
  EXPECT_EQ(p.diagnoses[0].name.code, "HCDX");
  EXPECT_EQ(p.diagnoses[0].name.system, "MDCDX2");
  EXPECT_EQ(p.diagnoses[0].name.alt_system, "I10");
  EXPECT_EQ(p.diagnoses[0].icd10.code, "E11.9");
  EXPECT_EQ(p.diagnoses[0].onset, "2019-06-01");
  EXPECT_EQ(p.diagnoses[0].established, "2026-11-20T10:00:00");
  EXPECT_EQ(p.diagnoses[0].source.file, "20261120_ab.json");
  ASSERT_EQ(p.allergies.size(), 1u);
  EXPECT_EQ(p.allergies[0].type.code, "DA");
  EXPECT_EQ(p.allergies[0].allergen.system, "HOT9");
  EXPECT_EQ(p.allergies[0].reaction, "蕁麻疹");
  EXPECT_EQ(p.allergies[0].severity.code, "MO");
  ASSERT_EQ(p.prescriptions.size(), 1u);
  const auto& m = p.prescriptions[0];
  EXPECT_EQ(m.drug.system, "HOT9");  // preferred over the YJ coding written first
  EXPECT_EQ(m.drug.code, "105271807");
  EXPECT_EQ(m.drug.alt_system, "YJ");
  EXPECT_EQ(m.order_no, "1311234567-2026-00000123");
  EXPECT_EQ(m.rp, "1");
  EXPECT_EQ(m.date, "2026-11-20T09:30:00");
  EXPECT_EQ(m.dose.value, "1");
  EXPECT_EQ(m.dose.unit.display, "錠");
  EXPECT_EQ(m.days, "14");
  EXPECT_EQ(m.usage.display, "1日2回朝夕食後");
  ASSERT_EQ(p.lab_results.size(), 1u);
  const auto& o = p.lab_results[0].items.at(0);
  EXPECT_EQ(o.code.system, "JC10");
  EXPECT_EQ(o.value_type, "NM");
  EXPECT_EQ(o.value, "7.2");
  EXPECT_EQ(o.range, "4.6-6.2");
  ASSERT_EQ(o.flags.size(), 1u);
  EXPECT_EQ(o.flags[0], "H");
  EXPECT_EQ(p.lab_results[0].collected_at, "2026-11-18T08:30:00");
  // The Practitioner is kept with the document, in no category.
  bool practitioner = false;
  for (const auto& e : p.entries)
    practitioner = practitioner || (e.resource_type == "Practitioner" && e.use == "document");
  EXPECT_TRUE(practitioner);
  EXPECT_EQ(p.entries.size(), 7u);
}

TEST(FhirIn, ReadsADischargeSummary) {
  const Parsed p = parse(read("discharge_summary.json"), "f.json");
  ASSERT_TRUE(p.ok()) << reasons(p);
  ASSERT_TRUE(p.document);
  EXPECT_EQ(p.document->type.code, "18842-5");
  EXPECT_EQ(p.document->title, "退院時サマリー");
  EXPECT_EQ(p.document->date, "2026-10-31T16:00:00");
  EXPECT_EQ(p.diagnoses.size(), 1u);
  EXPECT_TRUE(p.prescriptions.empty());
}

TEST(FhirIn, ReadsSingleResourcesAndCollections) {
  json b = sample("collection.json");
  const Parsed c = parse(b.dump(), "c.json");
  ASSERT_TRUE(c.ok()) << reasons(c);
  EXPECT_EQ(c.shape, "collection");
  EXPECT_FALSE(c.document);
  EXPECT_EQ(c.diagnoses.size(), 1u);
  EXPECT_EQ(c.lab_results.size(), 1u);
  const json condition = b["entry"][1]["resource"];
  const Parsed one = parse(condition.dump(), "one.json");
  ASSERT_TRUE(one.ok()) << reasons(one);
  EXPECT_EQ(one.shape, "resource");
  EXPECT_FALSE(one.patient);
  EXPECT_EQ(one.diagnoses.size(), 1u);
  const Parsed patient = parse(b["entry"][0]["resource"].dump(), "p.json");
  ASSERT_TRUE(patient.ok()) << reasons(patient);
  ASSERT_TRUE(patient.patient);
  EXPECT_EQ(patient.patient_identifiers.size(), 2u);
  // A transaction: POST and PUT only.
  b["type"] = "transaction";
  for (auto& e : b["entry"])
    e["request"] = {{"method", "POST"}, {"url", e["resource"]["resourceType"]}};
  EXPECT_TRUE(parse(b.dump(), "t.json").ok());
  b["entry"][2]["request"]["method"] = "DELETE";
  const Parsed del = parse(b.dump(), "t.json");
  ASSERT_EQ(del.errors.size(), 1u);
  EXPECT_EQ(del.errors[0].index, 2u);
}

TEST(FhirIn, RefusesWhatIsNoFhirJsonAsAWhole) {
  for (const std::string& body :
       {std::string(""), std::string("{"), std::string("{\"resourceType\":\"Patient\",}"),
        std::string("[1,2]"), std::string("{\"a\":1}"), std::string("{\"resourceType\":1}"),
        std::string("{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"entry\":[]}"),
        std::string("{\"resourceType\":\"Bundle\",\"type\":\"collection\"}"),
        std::string("{\"resourceType\":\"Patient\",\"x\":\"\xff\xfe\"}"),
        std::string("// comment\n{\"resourceType\":\"Patient\"}"),
        std::string("{\"resourceType\":\"Patient\",\"n\":45e0842}")}) {
    try {
      parse(body, "x.json");
      ADD_FAILURE() << "accepted: " << body;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kUnprocessable) << body;
    }
  }
  try {
    parse(std::string(kMaxBytes + 1, ' '), "x.json");
    ADD_FAILURE() << "accepted an oversized body";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kPayloadTooLarge);
  }
}

TEST(FhirIn, RefusesDeepNestingWithoutRecursingIntoIt) {
  std::string deep = "{\"resourceType\":\"Patient\",\"extension\":";
  for (int i = 0; i < 100'000; ++i)
    deep += "[";
  for (int i = 0; i < 100'000; ++i)
    deep += "]";
  deep += "}";
  try {
    parse(deep, "x.json");
    ADD_FAILURE() << "accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnprocessable);
    EXPECT_NE(e.external().find("deeper"), std::string::npos) << e.external();
  }
}

TEST(FhirIn, WrongTypesAndMissingElementsAreEntryErrorsNamingNoValue) {
  json b = sample("ereferral.json");
  b["entry"][3]["resource"].erase("code");                       // Condition without code
  b["entry"][4]["resource"]["onsetDateTime"] = "2010-13-01";     // not a date
  b["entry"][5]["resource"]["medicationCodeableConcept"] = "x";  // wrong JSON type
  b["entry"][6]["resource"]["subject"]["reference"] = "Patient/other";
  b["entry"].push_back({{"resource", {{"resourceType", "Questionnaire"}}}});
  const Parsed p = parse(b.dump(), "x.json");
  ASSERT_EQ(p.errors.size(), 5u) << reasons(p);
  EXPECT_EQ(p.errors[0].index, 3u);
  EXPECT_EQ(p.errors[0].resource_type, "Condition");
  EXPECT_NE(p.errors[0].reason.find("code is missing"), std::string::npos);
  EXPECT_EQ(p.errors[1].index, 4u);
  EXPECT_NE(p.errors[1].reason.find("onsetDateTime"), std::string::npos);
  EXPECT_EQ(p.errors[2].index, 5u);
  EXPECT_EQ(p.errors[3].index, 6u);
  EXPECT_NE(p.errors[3].reason.find("does not name the Patient"), std::string::npos);
  EXPECT_EQ(p.errors[4].index, 7u);
  for (const auto& e : p.errors) {
    EXPECT_EQ(e.reason.find("晴山"), std::string::npos);
    EXPECT_EQ(e.reason.find("2010-13"), std::string::npos);
    EXPECT_EQ(e.reason.find("other"), std::string::npos) << e.reason;
  }
}

TEST(FhirIn, ADocumentNeedsItsCompositionFirstOfAKnownTypeAndOnePatient) {
  json b = sample("ereferral.json");
  json wrong_type = b;
  wrong_type["entry"][0]["resource"]["type"]["coding"][0]["code"] = "57833-6";  // 処方箋
  Parsed p = parse(wrong_type.dump(), "x.json");
  ASSERT_EQ(p.errors.size(), 1u) << reasons(p);
  EXPECT_EQ(p.errors[0].index, 0u);
  EXPECT_NE(p.errors[0].reason.find("57133-1"), std::string::npos);
  json loinc = b;  // LOINC's own system is accepted too
  loinc["entry"][0]["resource"]["type"]["coding"][0]["system"] = "http://loinc.org";
  EXPECT_TRUE(parse(loinc.dump(), "x.json").ok());
  json swapped = b;
  std::swap(swapped["entry"][0], swapped["entry"][1]);
  p = parse(swapped.dump(), "x.json");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.errors[0].reason.find("first entry"), std::string::npos) << reasons(p);
  json two = b;
  two["entry"].push_back(b["entry"][1]);
  p = parse(two.dump(), "x.json");
  ASSERT_EQ(p.errors.size(), 1u) << reasons(p);
  EXPECT_NE(p.errors[0].reason.find("second Patient"), std::string::npos);
  json none = b;
  none["entry"].erase(1);
  p = parse(none.dump(), "x.json");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(reasons(p).find("no Patient"), std::string::npos) << reasons(p);
  json untitled = b;
  untitled["entry"][0]["resource"].erase("title");
  EXPECT_NE(reasons(parse(untitled.dump(), "x.json")).find("title is missing"), std::string::npos);
  // Outside a document, the document's other resources are not accepted.
  json coll = b;
  coll["type"] = "collection";
  p = parse(coll.dump(), "x.json");
  EXPECT_EQ(p.errors.size(), 2u) << reasons(p);  // the Composition and the Practitioner
}

TEST(FhirIn, TimesAreReadIntoJapanTime) {
  EXPECT_EQ(model_time("2026-11-20"), "2026-11-20");
  EXPECT_EQ(model_time("2026-11"), "2026-11");
  EXPECT_EQ(model_time("2026"), "2026");
  EXPECT_EQ(model_time("2026-11-20T10:15:00+09:00"), "2026-11-20T10:15:00");
  EXPECT_EQ(model_time("2026-11-20T16:15:00.123Z"), "2026-11-21T01:15:00");
  EXPECT_EQ(model_time("2026-12-31T20:00:00-05:00"), "2027-01-01T10:00:00");
  EXPECT_FALSE(model_time("2026-02-30"));
  EXPECT_FALSE(model_time("2026-11-20T10:15:00"));  // a time needs its zone
  EXPECT_FALSE(model_time("20261120"));
  EXPECT_FALSE(model_time("2026-11-20T25:00:00Z"));
  EXPECT_EQ(model_system("http://medis.or.jp/CodeSystem/master-HOT9"), "HOT9");
  EXPECT_EQ(model_system("urn:oid:1.2.392.200119.4.504"), "JC10");
  EXPECT_EQ(model_system("http://example.org/local"), "http://example.org/local");
}

}  // namespace
}  // namespace hareyaka::fhir_in
