// FHIR R4 JSON in (issue #17's "FHIR way in"): what a hosted facility without SS-MIX2 posts
// to its gateway, read into the clinical model (proto/clinical/model.hpp) that the data API
// serves. portal/fhir/fhir_mapping.cpp maps the other way; the code systems here are its
// system URIs read back into the model's names, so an item read from FHIR and written out
// again by the portal keeps its system.
//
// Accepted bodies:
//  - one JP Core resource: Patient, Condition, AllergyIntolerance, MedicationRequest,
//    Observation;
//  - a Bundle of type "collection" or "transaction" of those (a transaction's entries must be
//    POST or PUT: nothing here deletes);
//  - a JP-CLINS document Bundle (type "document") whose first entry is a Composition of type
//    57133-1 (診療情報提供書, eReferral) or 18842-5 (退院時サマリー, eDischargeSummary), coded in
//    http://jpfhir.jp/fhir/Common/CodeSystem/doc-typecodes (the JP-CLINS system) or LOINC.
//    Its other entries may also be the resources a JP-CLINS document carries besides the five
//    (Encounter, Practitioner, Organization, Coverage, ...): kept with the document as
//    received, not shown in a category.
// At most one Patient; every clinical resource's subject (AllergyIntolerance: patient) must
// name it when there is one (its fullUrl, "Patient/<id>" or its urn:uuid).
//
// Strict: the body is parsed by nlohmann::json (RFC 8259, well-formed UTF-8) up to
// kMaxBytes and kMaxDepth levels; what is not an object with a resourceType is refused as a
// whole (Error kUnprocessable; kPayloadTooLarge over the size). Everything else wrong is an
// EntryError with the entry's index and a reason naming elements, never values, so a report
// carries no patient data. An upload with any EntryError is to be refused whole by the caller.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/clinical/model.hpp"

namespace hareyaka::fhir_in {

inline constexpr std::size_t kMaxBytes = 16u << 20;
inline constexpr std::size_t kMaxDepth = 48;
inline constexpr std::size_t kMaxEntries = 10'000;

inline constexpr const char* kDocTypeSystem =
    "http://jpfhir.jp/fhir/Common/CodeSystem/doc-typecodes";
inline constexpr const char* kEReferral = "57133-1";
inline constexpr const char* kDischargeSummary = "18842-5";

struct EntryError {
  std::size_t index = 0;      // the Bundle entry (0 for a single resource)
  std::string resource_type;  // as written ("" when absent)
  std::string reason;
};

struct EntrySummary {
  std::size_t index = 0;
  std::string resource_type;
  std::string use;  // "patient", "diagnoses", ..., "document" (kept with the document only)
};

// The Composition of a JP-CLINS document.
struct DocumentInfo {
  clinical::Code type;  // code 57133-1 or 18842-5 (system "LN", as the model names LOINC)
  std::string title;
  std::string date;  // ISO, Japan time ("2020-08-21T12:12:20")
  std::string identifier;
};

struct Parsed {
  std::string shape;  // "resource", "document", "collection", "transaction"
  std::optional<DocumentInfo> document;
  std::optional<clinical::Patient> patient;  // id: the identifier value that matched (see below)
  std::vector<std::string> patient_identifiers;  // every Patient.identifier value
  std::vector<clinical::Diagnosis> diagnoses;
  std::vector<clinical::Allergy> allergies;
  std::vector<clinical::MedicationOrder> prescriptions;
  // Observations: a LabResult of one item each; not "laboratory" ones (vital signs ...)
  // carry their category as the panel.
  std::vector<clinical::LabResult> lab_results;
  std::vector<EntrySummary> entries;
  std::vector<EntryError> errors;

  bool ok() const { return errors.empty(); }
};

// Reads a body. `source_file` becomes every item's source.file (the stored file's name).
// Throws hareyaka::Error (kUnprocessable, kPayloadTooLarge) for a body that is no FHIR JSON.
Parsed parse(std::string_view body, const std::string& source_file);

// The model's name of a FHIR code system URI ("http://medis.or.jp/CodeSystem/master-HOT9",
// "urn:oid:1.2.392.200119.4.403.1" -> "HOT9"); the URI itself when it is none of them.
std::string model_system(std::string_view uri);

// A FHIR date or dateTime as the model's ISO text in Japan time ("2020-08-21",
// "2020-08-21T12:12:20", "2020-08"); nullopt when it is not one.
std::optional<std::string> model_time(std::string_view fhir);

}  // namespace hareyaka::fhir_in
