// The five JP Core resources into the clinical model: which element goes where is written
// next to each function. Elements not read are kept only in the stored file.
#include "proto/fhir_in/resources.hpp"

#include <array>

namespace hareyaka::fhir_in::detail {
namespace {

const json& member(const json& r, const char* key) {
  static const json kNull;
  if (!r.is_object())
    return kNull;
  auto it = r.find(key);
  return it == r.end() ? kNull : *it;
}

const json& array_of(const json& r, const char* key) {
  static const json kEmpty = json::array();
  const json& v = member(r, key);
  if (v.is_null())
    return kEmpty;
  if (!v.is_array())
    throw Problem{std::string(key) + " must be an array"};
  return v;
}

const json& object_of(const json& r, const char* key) {
  const json& v = member(r, key);
  if (!v.is_null() && !v.is_object())
    throw Problem{std::string(key) + " must be an object"};
  return v;
}

const json& first_of(const json& r, const char* key) {
  static const json kNull;
  const json& a = array_of(r, key);
  return a.empty() ? kNull : a.front();
}

// A FHIR time element: "" when absent, Problem when it is not a date or dateTime.
std::string time_of(const json& r, const char* key) {
  const std::string s = text_of(r, key);
  if (s.empty())
    return s;
  auto t = model_time(s);
  if (!t)
    throw Problem{std::string(key) + " is not a FHIR date or dateTime"};
  return *t;
}

// A decimal written as text, as the model keeps quantities ("5", "0.25").
std::string number_text(const json& v) {
  if (v.is_number_integer())
    return std::to_string(v.get<long long>());
  if (v.is_number_unsigned())
    return std::to_string(v.get<unsigned long long>());
  if (v.is_number_float()) {
    std::string s = v.dump();  // shortest round trip
    return s;
  }
  return "";
}

clinical::Code coding_code(const json& c) {
  clinical::Code out;
  out.code = text_of(c, "code");
  out.display = text_of(c, "display");
  const std::string system = text_of(c, "system");
  out.system = system.empty() ? "" : model_system(system);
  return out;
}

// A CodeableConcept: its first coding with a code (a coding of `preferred` first when there
// is one), the next as the alternate; the text when no coding has a code.
clinical::Code concept_of(const json& cc, std::string_view preferred = {}) {
  clinical::Code out;
  if (cc.is_null())
    return out;
  if (!cc.is_object())
    throw Problem{"a CodeableConcept must be an object"};
  std::vector<clinical::Code> codes;
  for (const auto& c : array_of(cc, "coding")) {
    if (!c.is_object())
      throw Problem{"coding must be objects"};
    auto k = coding_code(c);
    if (!k.code.empty() || !k.display.empty())
      codes.push_back(std::move(k));
  }
  if (!preferred.empty()) {
    for (std::size_t i = 1; i < codes.size(); ++i) {
      if (codes[i].system == preferred) {
        std::swap(codes[0], codes[i]);
        break;
      }
    }
  }
  const std::string text = text_of(cc, "text");
  if (codes.empty()) {
    out.display = text;
    return out;
  }
  out = codes[0];
  if (out.display.empty())
    out.display = text;
  if (codes.size() > 1) {
    out.alt_code = codes[1].code;
    out.alt_display = codes[1].display;
    out.alt_system = codes[1].system;
  }
  return out;
}

clinical::Code required_concept(const json& r, const char* key, std::string_view preferred = {}) {
  auto c = concept_of(object_of(r, key), preferred);
  if (c.empty())
    throw Problem{std::string(key) + " is missing"};
  return c;
}

std::string status_code(const json& r, const char* key) {
  const json& cc = object_of(r, key);
  if (cc.is_null())
    return "";
  for (const auto& c : array_of(cc, "coding")) {
    const std::string k = text_of(c, "code");
    if (!k.empty())
      return k;
  }
  return "";
}

// The identifier value of a system (any system when `system` is empty).
std::string identifier_value(const json& r, std::string_view system_prefix) {
  for (const auto& id : array_of(r, "identifier")) {
    if (!id.is_object())
      throw Problem{"identifier must be objects"};
    const std::string v = text_of(id, "value");
    if (!v.empty() && text_of(id, "system").rfind(system_prefix, 0) == 0)
      return v;
  }
  return "";
}

clinical::Quantity quantity_of(const json& q) {
  clinical::Quantity out;
  if (q.is_null())
    return out;
  if (!q.is_object())
    throw Problem{"a Quantity must be an object"};
  const json& v = member(q, "value");
  if (!v.is_null() && !v.is_number())
    throw Problem{"Quantity.value must be a number"};
  out.value = number_text(v);
  out.unit.code = text_of(q, "code");
  out.unit.display = text_of(q, "unit");
  const std::string system = text_of(q, "system");
  out.unit.system = system == "http://unitsofmeasure.org" ? "UCUM" : system;
  return out;
}

void split_human_name(const json& n, clinical::Name& out) {
  if (!n.is_object())
    throw Problem{"name must be objects"};
  out.family = text_of(n, "family");
  std::string given;
  for (const auto& g : array_of(n, "given")) {
    if (!g.is_string())
      throw Problem{"name.given must be strings"};
    given += (given.empty() ? "" : " ") + g.get<std::string>();
  }
  out.given = given;
  if (out.family.empty() && out.given.empty())
    out.family = text_of(n, "text");
}

// JP Core writes the kanji name and the kana name as two HumanNames told apart by the
// iso21090-EN-representation extension: IDE (ideographic) and SYL (syllabic).
std::string representation(const json& n) {
  for (const auto& e : array_of(n, "extension")) {
    if (text_of(e, "url") == "http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation")
      return text_of(e, "valueCode");
  }
  return "";
}

}  // namespace

std::string text_of(const json& r, const char* key) {
  const json& v = member(r, key);
  if (v.is_null())
    return "";
  if (!v.is_string())
    throw Problem{std::string(key) + " must be a string"};
  return v.get<std::string>();
}

std::string reference_of(const json& r, const char* key) {
  const json& ref = object_of(r, key);
  const std::string s = ref.is_null() ? "" : text_of(ref, "reference");
  if (s.empty())
    throw Problem{std::string(key) + ".reference is missing"};
  return s;
}

// Patient: identifier (JP Core: the facility's patient id, urn:oid:1.2.392.100495.20.3.51.1
// + 医療機関コード), name (IDE / SYL), gender, birthDate, address, telecom.
clinical::Patient patient(const json& r, std::vector<std::string>& identifiers) {
  clinical::Patient p;
  for (const auto& id : array_of(r, "identifier")) {
    if (!id.is_object())
      throw Problem{"identifier must be objects"};
    const std::string v = text_of(id, "value");
    if (!v.empty())
      identifiers.push_back(v);
  }
  if (identifiers.empty())
    throw Problem{"identifier (the patient id) is missing"};
  p.id = identifier_value(r, "urn:oid:1.2.392.100495.20.3.51.");
  if (p.id.empty())
    p.id = identifiers.front();
  for (const auto& n : array_of(r, "name")) {
    const std::string rep = representation(n);
    clinical::Name name;
    split_human_name(n, name);
    if (rep == "SYL")
      p.name_kana = name;
    else if (p.name_kanji.family.empty() && p.name_kanji.given.empty())
      p.name_kanji = name;
  }
  const std::string gender = text_of(r, "gender");
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kGender{
      {{"male", "M"}, {"female", "F"}, {"other", "O"}, {"unknown", "U"}}};
  for (const auto& [g, v] : kGender) {
    if (gender == g)
      p.sex = v;
  }
  if (!gender.empty() && p.sex.empty())
    throw Problem{"gender is not male, female, other or unknown"};
  p.birth_date = time_of(r, "birthDate");
  if (p.birth_date.size() > 10)
    throw Problem{"birthDate is not a date"};
  for (const auto& a : array_of(r, "address")) {
    if (!a.is_object())
      throw Problem{"address must be objects"};
    clinical::Address addr;
    addr.type = text_of(a, "use");
    addr.postal_code = text_of(a, "postalCode");
    addr.country = text_of(a, "country");
    addr.text = text_of(a, "text");
    if (addr.text.empty()) {
      addr.text = text_of(a, "state") + text_of(a, "city");
      for (const auto& l : array_of(a, "line")) {
        if (!l.is_string())
          throw Problem{"address.line must be strings"};
        addr.text += l.get<std::string>();
      }
    }
    p.addresses.push_back(std::move(addr));
  }
  for (const auto& t : array_of(r, "telecom")) {
    if (!t.is_object())
      throw Problem{"telecom must be objects"};
    if (text_of(t, "system") == "phone")
      p.phones.push_back({text_of(t, "use"), "PH", text_of(t, "value")});
  }
  return p;
}

// Condition: code (MEDIS 病名交換用コード preferred; an ICD-10 coding also in icd10),
// onset[x], abatementDateTime (resolved), recordedDate (established), clinicalStatus.
clinical::Diagnosis condition(const json& r) {
  clinical::Diagnosis d;
  d.name = required_concept(r, "code", "MDCDX2");
  for (const auto& c : array_of(object_of(r, "code"), "coding")) {
    auto k = coding_code(c);
    if (k.system == "I10")
      d.icd10 = k;
  }
  d.onset = time_of(r, "onsetDateTime");
  d.onset_text = text_of(r, "onsetString");
  d.resolved = time_of(r, "abatementDateTime");
  d.established = time_of(r, "recordedDate");
  const std::string clinical_status = status_code(r, "clinicalStatus");
  if (!clinical_status.empty())
    d.outcome = {clinical_status, "", "condition-clinical"};
  for (const auto& id : array_of(r, "identifier")) {
    d.instance_id = text_of(id, "value");
    break;
  }
  return d;
}

// AllergyIntolerance: code (the allergen), category (medication DA, food FA, environment EA:
// HL7 v2 table 0127), criticality / reaction.severity, reaction's manifestation, onset.
clinical::Allergy allergy(const json& r) {
  clinical::Allergy a;
  a.allergen = required_concept(r, "code");
  const json& categories = array_of(r, "category");
  if (!categories.empty()) {
    const std::string c =
        categories.front().is_string() ? categories.front().get<std::string>() : "";
    a.type = c == "medication"    ? clinical::Code{"DA", "薬剤アレルギー", "HL70127"}
             : c == "food"        ? clinical::Code{"FA", "食物アレルギー", "HL70127"}
             : c == "environment" ? clinical::Code{"EA", "環境アレルギー", "HL70127"}
                                  : clinical::Code{"MA", "その他アレルギー", "HL70127"};
  }
  const json& reaction = first_of(r, "reaction");
  if (!reaction.is_null()) {
    const std::string severity = text_of(reaction, "severity");
    if (severity == "severe")
      a.severity = {"SV", "重度", "HL70128"};
    else if (severity == "moderate")
      a.severity = {"MO", "中等度", "HL70128"};
    else if (severity == "mild")
      a.severity = {"MI", "軽度", "HL70128"};
    const json& m = first_of(reaction, "manifestation");
    a.reaction = concept_of(m).display;
  }
  a.onset = time_of(r, "onsetDateTime");
  a.onset_text = text_of(r, "onsetString");
  if (a.onset.empty())
    a.onset = time_of(r, "recordedDate");
  return a;
}

// MedicationRequest (JP Core): medicationCodeableConcept (HOT9 preferred), authoredOn,
// identifier of 処方オーダー番号 (urn:oid:1.2.392.100495.20.3.11) and RP番号
// (urn:oid:1.2.392.100495.20.3.81), the first dosageInstruction (text, timing.code, route,
// doseAndRate.doseQuantity, patientInstruction), dispenseRequest (quantity,
// expectedSupplyDuration in days).
clinical::MedicationOrder medication_request(const json& r) {
  clinical::MedicationOrder m;
  if (text_of(r, "status").empty())
    throw Problem{"status is missing"};
  if (text_of(r, "intent").empty())
    throw Problem{"intent is missing"};
  if (!member(r, "medicationReference").is_null())
    throw Problem{"medicationReference is not read here: write medicationCodeableConcept"};
  m.drug = required_concept(r, "medicationCodeableConcept", "HOT9");
  m.date = time_of(r, "authoredOn");
  m.order_no = identifier_value(r, "urn:oid:1.2.392.100495.20.3.11");
  m.rp = identifier_value(r, "urn:oid:1.2.392.100495.20.3.81");
  const json& dosage = first_of(r, "dosageInstruction");
  if (!dosage.is_null()) {
    if (!dosage.is_object())
      throw Problem{"dosageInstruction must be objects"};
    m.usage = concept_of(object_of(object_of(dosage, "timing"), "code"));
    const std::string text = text_of(dosage, "text");
    if (m.usage.display.empty())
      m.usage.display = text;
    m.route = concept_of(object_of(dosage, "route"));
    m.instructions = text_of(dosage, "patientInstruction");
    const json& rate = first_of(dosage, "doseAndRate");
    if (!rate.is_null())
      m.dose = quantity_of(object_of(rate, "doseQuantity"));
  }
  const json& dispense = object_of(r, "dispenseRequest");
  if (!dispense.is_null()) {
    m.dispense = quantity_of(object_of(dispense, "quantity"));
    const json& duration = object_of(dispense, "expectedSupplyDuration");
    if (!duration.is_null())
      m.days = quantity_of(duration).value;
  }
  m.start = m.date.substr(0, 10);
  return m;
}

// Observation: status, code (JLAC10 preferred), effective[x], issued, value[x]
// (Quantity NM, CodeableConcept CWE, string ST), referenceRange, interpretation, category.
clinical::LabResult observation(const json& r) {
  clinical::LabResult lab;
  clinical::Observation o;
  const std::string status = text_of(r, "status");
  if (status.empty())
    throw Problem{"status is missing"};
  o.status = status == "preliminary"                        ? "P"
             : status == "corrected" || status == "amended" ? "C"
             : status == "cancelled"                        ? "X"
                                                            : "F";
  o.code = required_concept(r, "code", "JC10");
  o.observed_at = time_of(r, "effectiveDateTime");
  if (o.observed_at.empty()) {
    const json& period = object_of(r, "effectivePeriod");
    o.observed_at = period.is_null() ? "" : time_of(period, "start");
  }
  if (const json& q = object_of(r, "valueQuantity"); !q.is_null()) {
    o.value_type = "NM";
    auto v = quantity_of(q);
    o.value = v.value;
    o.unit = v.unit;
    if (o.unit.code.empty()) {
      o.unit.code = o.unit.display;
      o.unit.display.clear();
    }
  } else if (const json& cc = object_of(r, "valueCodeableConcept"); !cc.is_null()) {
    o.value_type = "CWE";
    o.value_code = concept_of(cc);
    o.value = o.value_code.display;
  } else if (const std::string s = text_of(r, "valueString"); !s.empty()) {
    o.value_type = "ST";
    o.value = s;
  }
  const json& range = first_of(r, "referenceRange");
  if (!range.is_null()) {
    o.range = text_of(range, "text");
    if (o.range.empty()) {
      const std::string low = number_text(member(object_of(range, "low"), "value"));
      const std::string high = number_text(member(object_of(range, "high"), "value"));
      if (!low.empty() || !high.empty())
        o.range = low + "-" + high;
    }
  }
  for (const auto& i : array_of(r, "interpretation")) {
    const auto c = concept_of(i);
    if (!c.code.empty())
      o.flags.push_back(c.code);
  }
  lab.items.push_back(std::move(o));
  lab.collected_at = lab.items[0].observed_at;
  lab.reported_at = time_of(r, "issued");
  lab.order_no = identifier_value(r, "");
  std::string category;
  for (const auto& c : array_of(r, "category")) {
    for (const auto& k : array_of(c, "coding")) {
      if (category.empty())
        category = text_of(k, "code");
    }
  }
  if (!category.empty() && category != "laboratory")
    lab.panel = {category, "", "observation-category"};
  const json& specimen = object_of(r, "specimen");
  if (!specimen.is_null())
    lab.specimen.display = text_of(specimen, "display");
  return lab;
}

// Composition (JP-CLINS): type, title, date, identifier, status, subject, author.
DocumentInfo composition(const json& r) {
  DocumentInfo d;
  if (text_of(r, "status").empty())
    throw Problem{"status is missing"};
  const json& type = object_of(r, "type");
  for (const auto& c : array_of(type, "coding")) {
    const std::string system = text_of(c, "system");
    const std::string code = text_of(c, "code");
    if ((system == kDocTypeSystem || system == "http://loinc.org") &&
        (code == kEReferral || code == kDischargeSummary)) {
      d.type = {code, text_of(c, "display"), "LN"};
      break;
    }
  }
  if (d.type.code.empty())
    throw Problem{"type is neither 57133-1 (診療情報提供書) nor 18842-5 (退院時サマリー) of " +
                  std::string(kDocTypeSystem)};
  if (d.type.display.empty())
    d.type.display = d.type.code == kEReferral ? "診療情報提供書" : "退院時サマリー";
  d.title = text_of(r, "title");
  if (d.title.empty())
    throw Problem{"title is missing"};
  d.date = time_of(r, "date");
  if (d.date.empty())
    throw Problem{"date is missing"};
  if (array_of(r, "author").empty())
    throw Problem{"author is missing"};
  const json& id = object_of(r, "identifier");
  d.identifier = id.is_null() ? "" : text_of(id, "value");
  return d;
}

}  // namespace hareyaka::fhir_in::detail
