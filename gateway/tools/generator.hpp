// Synthetic SS-MIX2 storages: realistic shapes (kanji and kana names, JIS-encoded HL7 v2.5,
// HOT/JLAC10/ICD-10/MEDIS-shaped codes, the folder and file-name rules) for the demo, the
// tests and the benchmarks. Deterministic for a seed. The codes have the right shapes and the
// common ICD-10 codes their real meaning, but the data describe nobody.
#pragma once

#include <cstdint>
#include <string>

namespace hareyaka::gateway::tools {

struct GeneratorOptions {
  std::string out;           // standard storage root of facility A
  std::string extended_out;  // extended storage root of facility A (optional)
  std::uint64_t patients = 100;
  std::uint64_t seed = 1;
  std::uint64_t first_id = 1000001;
  int visits = 6;          // average outpatient visits per patient
  std::string second_out;  // standard storage root of facility B (optional)
  std::string second_extended_out;
  std::uint64_t second_patients = 0;  // B's own patients besides the shared ones
  double shared_fraction = 0.3;       // of A's patients also at B
  std::uint64_t second_first_id = 5000001;
  std::string truth;  // CSV: person_id,facility,patient_id,variation
  unsigned threads = 2;
};

struct GeneratorReport {
  std::uint64_t files = 0;
  std::uint64_t bytes = 0;
  std::uint64_t patients = 0;
  std::string error;  // non-empty on failure
};

GeneratorReport generate(const GeneratorOptions& options);

}  // namespace hareyaka::gateway::tools
