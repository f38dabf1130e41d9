// Reading one SS-MIX2 standard storage file into the clinical model: the path and name
// checks, the HL7 parse, the consistency checks between file and message, and the mapping of
// each data type's segments. Pure: the caller reads the bytes.
//
// Which patient wins when PID-3 and the folder disagree: the folder. The EMR chose where to
// store the file, the index is keyed by folder, and the guideline's own samples carry other
// ids in PID-3; the disagreement is reported as a warning (or, with
// reject_pid_mismatch, makes the file unusable, for sites that prefer to be strict).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/clinical/model.hpp"
#include "proto/hl7v2/message.hpp"
#include "proto/ssmix2/file_name.hpp"

namespace hareyaka::ssmix2 {

enum class Severity { kWarning, kError };  // error: the file is not used

struct Issue {
  Severity severity = Severity::kError;
  std::string message;  // says where (segment, field) and what; free of patient data
};

struct Content {
  std::optional<clinical::Patient> patient;
  std::vector<clinical::Encounter> encounters;
  std::vector<clinical::Allergy> allergies;
  std::vector<clinical::Diagnosis> diagnoses;
  std::vector<clinical::MedicationOrder> prescriptions;
  std::vector<clinical::Administration> administrations;
  std::vector<clinical::Injection> injections;
  std::vector<clinical::LabOrder> lab_orders;
  std::vector<clinical::LabResult> lab_results;
  std::vector<clinical::Study> studies;
  std::vector<clinical::MealOrder> meals;
};

struct ReadOptions {
  bool map_content = true;  // false: checks only (index build)
  // true: PID-3 disagreeing with the folder, a missing PID or message type is an error.
  bool reject_pid_mismatch = false;
};

struct ReadResult {
  std::optional<FileName> name;  // when the file name parses
  std::vector<Issue> issues;
  Content content;
  bool usable() const;
  // "reason; reason; ..." of every issue at or above `min`.
  std::string describe(Severity min = Severity::kWarning) const;
};

// relative_path: from the standard storage root ("999/901/9999013/-/ADT-00/<name>").
ReadResult read_standard_file(std::string_view relative_path, std::string_view bytes,
                              const ReadOptions& options = {});

// Maps a parsed message of a known data type (no consistency checks). Exposed for tests and
// for feeds that do not come from files.
Content map_message(DataType type, const hl7v2::Message& message, const clinical::Source& source);

}  // namespace hareyaka::ssmix2
