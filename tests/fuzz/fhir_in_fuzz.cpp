// Fuzz target for the FHIR upload reader (#17): any bytes give a reading or a
// hareyaka::Error of the whole body, never a crash, a hang or a stack overflow; every entry
// error names an entry the body has, and a reading without errors writes the model's JSON.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string_view>

#include "common/error.hpp"
#include "proto/fhir_in/fhir_in.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hareyaka;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    const fhir_in::Parsed p = fhir_in::parse(bytes, "fuzz.json");
    if (p.shape != "resource" && p.shape != "document" && p.shape != "collection" &&
        p.shape != "transaction")
      std::abort();
    for (const auto& e : p.errors) {
      if (e.reason.empty() || e.index > fhir_in::kMaxEntries)
        std::abort();
    }
    if (p.shape == "resource" && (p.entries.size() + p.errors.size()) != 1)
      std::abort();  // one resource, read or refused
    if (p.ok() && p.shape == "document" && !p.document)
      std::abort();
    std::size_t n = 0;
    for (const auto& d : p.diagnoses)
      n += nlohmann::json(d).dump().size();
    for (const auto& m : p.prescriptions)
      n += nlohmann::json(m).dump().size();
    for (const auto& l : p.lab_results)
      n += nlohmann::json(l).dump().size();
    for (const auto& a : p.allergies)
      n += nlohmann::json(a).dump().size();
    if (p.patient)
      n += nlohmann::json(*p.patient).dump().size();
    volatile std::size_t sink = n;
    (void)sink;
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kUnprocessable && e.code() != ErrorCode::kPayloadTooLarge)
      std::abort();
  }
  return 0;
}
