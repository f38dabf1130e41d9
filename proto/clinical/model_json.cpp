#include "proto/clinical/model.hpp"

namespace hareyaka::clinical {

void to_json(nlohmann::json& j, const Code& v) {
  j = nlohmann::json{{"code", v.code}, {"display", v.display}, {"system", v.system}};
  if (!v.alt_code.empty() || !v.alt_display.empty()) {
    j["alt_code"] = v.alt_code;
    j["alt_display"] = v.alt_display;
    j["alt_system"] = v.alt_system;
  }
}

void from_json(const nlohmann::json& j, Code& v) {
  v.code = j.value("code", "");
  v.display = j.value("display", "");
  v.system = j.value("system", "");
  v.alt_code = j.value("alt_code", "");
  v.alt_display = j.value("alt_display", "");
  v.alt_system = j.value("alt_system", "");
}

// Every other type: all keys always present (a stable shape), missing keys read as defaults
// so an older gateway's JSON still loads.
#define HAREYAKA_JSON(Type, ...)                                                            \
  void to_json(nlohmann::json& nlohmann_json_j, const Type& nlohmann_json_t) {              \
    NLOHMANN_JSON_EXPAND(NLOHMANN_JSON_PASTE(NLOHMANN_JSON_TO, __VA_ARGS__))                \
  }                                                                                         \
  void from_json(const nlohmann::json& nlohmann_json_j, Type& nlohmann_json_t) {            \
    const Type nlohmann_json_default_obj{};                                                 \
    NLOHMANN_JSON_EXPAND(NLOHMANN_JSON_PASTE(NLOHMANN_JSON_FROM_WITH_DEFAULT, __VA_ARGS__)) \
  }

HAREYAKA_JSON(Quantity, value, unit)
HAREYAKA_JSON(Person, id, family, given)
HAREYAKA_JSON(Source, data_type, file, timestamp, order_no, department)
HAREYAKA_JSON(Name, family, given)
HAREYAKA_JSON(Address, type, postal_code, country, text)
HAREYAKA_JSON(Phone, use, equipment, number)
HAREYAKA_JSON(Observation, set_id, value_type, code, sub_id, value, value_code, unit, range, flags,
              status, observed_at)
HAREYAKA_JSON(Allergy, type, allergen, severity, reaction, action, onset, onset_text, source)
HAREYAKA_JSON(Patient, id, name_kanji, name_kana, sex, birth_date, addresses, phones, observations,
              allergies, updated_at, source)
HAREYAKA_JSON(Location, ward, room, bed)
HAREYAKA_JSON(Encounter, event, kind, trigger, cancelled, patient_class, department, location,
              prior_location, attending_doctor, admitted_at, discharged_at, event_at, date, status,
              source)
HAREYAKA_JSON(Diagnosis, action, name, icd10, instance_id, established, resolved, outcome,
              outcome_date, onset, onset_text, ranking, main, department, source)
HAREYAKA_JSON(MedicationOrder, order_no, rp, date, drug, dose, dosage_form, daily_dose, dispense,
              usage, days, start, end, route, instructions, prescription_types, patient_class,
              department, orderer, source)
HAREYAKA_JSON(InjectionComponent, role, drug, amount)
HAREYAKA_JSON(Injection, order_no, group, start, end, kind, amount, rate, route, device,
              instructions, components, department, orderer, source)
HAREYAKA_JSON(Administration, kind, order_no, group, start, end, drug, amount, route, note, rate,
              status, administered_by, source)
HAREYAKA_JSON(LabPanel, code, items)
HAREYAKA_JSON(LabOrder, order_no, date, specimen, panels, department, orderer, source)
HAREYAKA_JSON(LabResult, order_no, filler_no, specimen, panel, collected_at, reported_at, items,
              source)
HAREYAKA_JSON(Procedure, control, order_no, parent, code, performed)
HAREYAKA_JSON(Study, category, kind, order_no, date, procedures, observations, study_uids,
              accession_numbers, modality, reported_at, result_status, department, orderer, source)
HAREYAKA_JSON(Diet, type, code, text)
HAREYAKA_JSON(MealOrder, order_no, start, timing, diets, department, source)
HAREYAKA_JSON(Document, id, type, date, file, media_type, size, order_no, department, source)

}  // namespace hareyaka::clinical
