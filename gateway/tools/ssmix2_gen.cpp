// hareyaka-ssmix2-gen: writes synthetic SS-MIX2 storages (see generator.hpp).
#include <cstdio>
#include <cstring>
#include <string>

#include "gateway/tools/generator.hpp"

namespace {

constexpr const char* kHelp = R"(usage: hareyaka-ssmix2-gen --out DIR [options]

Writes a synthetic SS-MIX2 standard storage (HL7 v2.5 in ISO-2022-JP, standard folder and
file-name rules) for N patients: kanji and kana names, sex, birth date, address, phone,
height/weight, allergies (ADT-61), diagnoses (PPR-01, MEDIS-shaped and ICD-10 codes),
outpatient visits (ADT-12, a few cancelled with A11), planned admissions, admissions,
transfers and discharges (ADT-21/22/42/52) with an injection order (OMP-02), prescriptions (OMP-01, HOT-shaped codes, dose, usage, days; some with a superseded
_2 version), lab results (OML-11, JLAC10-shaped codes, values, units, ranges, flags) and
radiology reports (OMG-11 with a DICOM study UID). Discharge summaries go to the extended
storage when --extended is given. The same seed gives the same storage.

options:
  --out DIR               standard storage root of facility A (required)
  --extended DIR          extended storage root of facility A
  --patients N            patients at facility A (default 100)
  --seed N                random seed (default 1)
  --first-id N            first patient id at facility A (default 1000001)
  --visits N              average outpatient visits per patient (default 6)
  --second-out DIR        also write facility B, sharing some of A's patients
  --second-extended DIR   extended storage root of facility B
  --shared-fraction F     fraction of A's patients also at B (default 0.3)
  --second-patients N     B's own patients besides the shared ones (default 0)
  --second-first-id N     first patient id at facility B (default 5000001)
  --truth FILE            CSV of who is who: person_id,facility,patient_id,variation
                          (variation at B: same, kana_spelling, moved, married_surname,
                          only_b) for identity-matching tests
  --threads N             writer threads (default 2)
  --help                  this text
)";

bool number(const char* s, unsigned long long& out) {
  char* end = nullptr;
  out = std::strtoull(s, &end, 10);
  return end && *end == '\0' && *s != '\0';
}

}  // namespace

int main(int argc, char** argv) {
  hareyaka::gateway::tools::GeneratorOptions o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      std::fputs(kHelp, stdout);
      return 0;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "hareyaka-ssmix2-gen: %s needs a value (see --help)\n", a.c_str());
      return 2;
    }
    const char* v = argv[++i];
    unsigned long long n = 0;
    bool ok = true;
    if (a == "--out")
      o.out = v;
    else if (a == "--extended")
      o.extended_out = v;
    else if (a == "--second-out")
      o.second_out = v;
    else if (a == "--second-extended")
      o.second_extended_out = v;
    else if (a == "--truth")
      o.truth = v;
    else if (a == "--shared-fraction") {
      char* end = nullptr;
      o.shared_fraction = std::strtod(v, &end);
      ok = end && *end == '\0' && o.shared_fraction >= 0 && o.shared_fraction <= 1;
    } else if (a == "--patients")
      ok = number(v, n) && (o.patients = n, true);
    else if (a == "--seed")
      ok = number(v, n) && (o.seed = n, true);
    else if (a == "--first-id")
      ok = number(v, n) && n > 0 && (o.first_id = n, true);
    else if (a == "--visits")
      ok = number(v, n) && n > 0 && n < 1000 && (o.visits = static_cast<int>(n), true);
    else if (a == "--second-patients")
      ok = number(v, n) && (o.second_patients = n, true);
    else if (a == "--second-first-id")
      ok = number(v, n) && n > 0 && (o.second_first_id = n, true);
    else if (a == "--threads")
      ok = number(v, n) && n > 0 && n <= 64 && (o.threads = static_cast<unsigned>(n), true);
    else {
      std::fprintf(stderr, "hareyaka-ssmix2-gen: unknown option %s (see --help)\n", a.c_str());
      return 2;
    }
    if (!ok) {
      std::fprintf(stderr, "hareyaka-ssmix2-gen: bad value for %s\n", a.c_str());
      return 2;
    }
  }
  if (o.out.empty()) {
    std::fprintf(stderr, "hareyaka-ssmix2-gen: --out DIR is required (see --help)\n");
    return 2;
  }
  auto r = hareyaka::gateway::tools::generate(o);
  if (!r.error.empty()) {
    std::fprintf(stderr, "hareyaka-ssmix2-gen: %s\n", r.error.c_str());
    return 1;
  }
  std::printf("wrote %llu files (%llu bytes) for %llu patients\n",
              static_cast<unsigned long long>(r.files), static_cast<unsigned long long>(r.bytes),
              static_cast<unsigned long long>(r.patients));
  return 0;
}
