// The clinical model: what a gateway reads out of SS-MIX2 and the portal merges across
// facilities. Codes keep their source code system (MEDIS "MDCDX2", ICD-10 "I10", HOT "HOT9",
// JLAC10 "JC10", JJ1017, local "99XXX" systems ...): nothing is translated into another
// system here. Every entry carries `source`, the file it came from.
//
// JSON form (stable; the portal depends on it; add keys, never rename or remove):
//   Code        {"code","display","system"[, "alt_code","alt_display","alt_system"]}
//               (HL7 CWE components 1-3 and, when present, the alternate 4-6)
//   Quantity    {"value" (text, as written), "unit": Code}
//   Person      {"id","family","given"}
//   Source      {"data_type","file","timestamp","order_no","department"}
//   Dates are ISO 8601 text as precise as the source ("2011-07-01", "2011-07-01T10:30:45",
//   "1996-01"), empty when absent.
//   Patient     {"id","name_kanji":{"family","given"},"name_kana":{..},"sex","birth_date",
//                "addresses":[{"type","postal_code","country","text"}],
//                "phones":[{"use","equipment","number"}],"observations":[Observation],
//                "allergies":[Allergy],"updated_at","source"}
//   Encounter   {"event" ("ADT-22"),"kind","trigger","cancelled","patient_class",
//                "department":Code,"location":{"ward","room","bed"},"prior_location",
//                "attending_doctor":Person,"admitted_at","discharged_at","event_at","date",
//                "status" ("active"|"cancelled"),"source"}
//   Allergy     {"type":Code,"allergen":Code,"severity":Code,"reaction","action":Code,
//                "onset","onset_text","source"}
//   Diagnosis   {"action","name":Code,"icd10":Code,"instance_id","established","resolved",
//                "outcome":Code,"outcome_date","onset","onset_text","ranking":Code,"main",
//                "department":Code,"source"}
//   MedicationOrder {"order_no","rp","date","drug":Code,"dose":Quantity,"dosage_form":Code,
//                "daily_dose":Quantity,"dispense":Quantity,"usage":Code,"days","start","end",
//                "route":Code,"instructions","prescription_types":[Code],"patient_class",
//                "department":Code,"orderer":Person,"source"}
//   Injection   {"order_no","group","start","end","kind":Code,"amount":Quantity,
//                "rate":Quantity,"route":Code,"device":Code,"instructions",
//                "components":[{"role","drug":Code,"amount":Quantity}],"department":Code,
//                "orderer":Person,"source"}
//   Administration {"kind" ("medication"|"injection"),"order_no","group","start","end",
//                "drug":Code,"amount":Quantity,"route":Code,"note","rate","status",
//                "administered_by":Person,"source"}
//   Observation {"set_id","value_type","code":Code,"sub_id","value","value_code":Code,
//                "unit":Code,"range","flags":[..],"status","observed_at"}
//   LabOrder    {"order_no","date","specimen":Code,"panels":[{"code":Code,"items":[Code]}],
//                "department":Code,"orderer":Person,"source"}
//   LabResult   {"order_no","filler_no","specimen":Code,"panel":Code,"collected_at",
//                "reported_at","items":[Observation],"source"}
//               (culture results: organisms are CWE items with value_code; OBX-4 sub ids
//               tie susceptibilities to their organism)
//   Study       {"category" ("radiology"|"endoscopy"|"physiology"),"kind" ("order"|"report"),
//                "order_no","date","procedures":[{"control","order_no","parent","code":Code,
//                "performed":[Code]}],"observations":[Observation],"study_uids":[..],
//                "accession_numbers":[..],"modality":Code,"reported_at","result_status",
//                "department":Code,"orderer":Person,"source"}
//   MealOrder   {"order_no","start","timing":Code,"diets":[{"type","code":Code,"text"}],
//                "department":Code,"source"}
//   Document    {"id","type":Code (local code; alt = standard code),"date","file","media_type",
//                "size","order_no","department","source"}
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hareyaka::clinical {

struct Code {
  std::string code, display, system;
  std::string alt_code, alt_display, alt_system;
  bool empty() const { return code.empty() && display.empty(); }
};

struct Quantity {
  std::string value;
  Code unit;
};

struct Person {
  std::string id, family, given;
};

struct Source {
  std::string data_type;  // "OMP-01", or "extended" for documents
  std::string file;       // path relative to the storage root
  std::string timestamp;  // the file name's timestamp
  std::string order_no;
  std::string department;
};

struct Name {
  std::string family, given;
};

struct Address {
  std::string type, postal_code, country, text;
};

struct Phone {
  std::string use, equipment, number;
};

struct Observation {
  std::string set_id, value_type;
  Code code;
  std::string sub_id, value;
  Code value_code;
  Code unit;
  std::string range;
  std::vector<std::string> flags;
  std::string status, observed_at;
};

struct Allergy {
  Code type, allergen, severity;
  std::string reaction;
  Code action;
  std::string onset, onset_text;
  Source source;
};

struct Patient {
  std::string id;
  Name name_kanji, name_kana;
  std::string sex, birth_date;
  std::vector<Address> addresses;
  std::vector<Phone> phones;
  std::vector<Observation> observations;
  std::vector<Allergy> allergies;
  std::string updated_at;
  Source source;
};

struct Location {
  std::string ward, room, bed;
};

struct Encounter {
  std::string event, kind, trigger;
  bool cancelled = false;
  std::string patient_class;
  Code department;
  Location location, prior_location;
  Person attending_doctor;
  std::string admitted_at, discharged_at, event_at, date;
  std::string status = "active";
  Source source;
};

struct Diagnosis {
  std::string action;
  Code name, icd10;
  std::string instance_id, established, resolved;
  Code outcome;
  std::string outcome_date, onset, onset_text;
  Code ranking;
  bool main = false;
  Code department;
  Source source;
};

struct MedicationOrder {
  std::string order_no, rp, date;
  Code drug;
  Quantity dose;
  Code dosage_form;
  Quantity daily_dose, dispense;
  Code usage;
  std::string days, start, end;
  Code route;
  std::string instructions;
  std::vector<Code> prescription_types;
  std::string patient_class;
  Code department;
  Person orderer;
  Source source;
};

struct InjectionComponent {
  std::string role;
  Code drug;
  Quantity amount;
};

struct Injection {
  std::string order_no, group, start, end;
  Code kind;
  Quantity amount, rate;
  Code route, device;
  std::string instructions;
  std::vector<InjectionComponent> components;
  Code department;
  Person orderer;
  Source source;
};

struct Administration {
  std::string kind, order_no, group, start, end;
  Code drug;
  Quantity amount;
  Code route;
  std::string note, rate, status;
  Person administered_by;
  Source source;
};

struct LabPanel {
  Code code;
  std::vector<Code> items;
};

struct LabOrder {
  std::string order_no, date;
  Code specimen;
  std::vector<LabPanel> panels;
  Code department;
  Person orderer;
  Source source;
};

struct LabResult {
  std::string order_no, filler_no;
  Code specimen, panel;
  std::string collected_at, reported_at;
  std::vector<Observation> items;
  Source source;
};

struct Procedure {
  std::string control, order_no, parent;
  Code code;
  std::vector<Code> performed;
};

struct Study {
  std::string category, kind, order_no, date;
  std::vector<Procedure> procedures;
  std::vector<Observation> observations;
  std::vector<std::string> study_uids, accession_numbers;
  Code modality;
  std::string reported_at, result_status;
  Code department;
  Person orderer;
  Source source;
};

struct Diet {
  std::string type;
  Code code;
  std::string text;
};

struct MealOrder {
  std::string order_no, start;
  Code timing;
  std::vector<Diet> diets;
  Code department;
  Source source;
};

struct Document {
  std::string id;
  Code type;
  std::string date, file, media_type;
  std::uint64_t size = 0;
  std::string order_no, department;
  Source source;
};

// JSON conversion (both ways: the portal reads what gateways write).
void to_json(nlohmann::json& j, const Code& v);
void from_json(const nlohmann::json& j, Code& v);

#define HAREYAKA_CLINICAL_JSON(Type)              \
  void to_json(nlohmann::json& j, const Type& v); \
  void from_json(const nlohmann::json& j, Type& v);
HAREYAKA_CLINICAL_JSON(Quantity)
HAREYAKA_CLINICAL_JSON(Person)
HAREYAKA_CLINICAL_JSON(Source)
HAREYAKA_CLINICAL_JSON(Name)
HAREYAKA_CLINICAL_JSON(Address)
HAREYAKA_CLINICAL_JSON(Phone)
HAREYAKA_CLINICAL_JSON(Observation)
HAREYAKA_CLINICAL_JSON(Allergy)
HAREYAKA_CLINICAL_JSON(Patient)
HAREYAKA_CLINICAL_JSON(Location)
HAREYAKA_CLINICAL_JSON(Encounter)
HAREYAKA_CLINICAL_JSON(Diagnosis)
HAREYAKA_CLINICAL_JSON(MedicationOrder)
HAREYAKA_CLINICAL_JSON(InjectionComponent)
HAREYAKA_CLINICAL_JSON(Injection)
HAREYAKA_CLINICAL_JSON(Administration)
HAREYAKA_CLINICAL_JSON(LabPanel)
HAREYAKA_CLINICAL_JSON(LabOrder)
HAREYAKA_CLINICAL_JSON(LabResult)
HAREYAKA_CLINICAL_JSON(Procedure)
HAREYAKA_CLINICAL_JSON(Study)
HAREYAKA_CLINICAL_JSON(Diet)
HAREYAKA_CLINICAL_JSON(MealOrder)
HAREYAKA_CLINICAL_JSON(Document)
#undef HAREYAKA_CLINICAL_JSON

}  // namespace hareyaka::clinical
