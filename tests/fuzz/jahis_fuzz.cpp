// Fuzz target for the JAHIS お薬手帳 reader (#17): any bytes give a notebook or a
// hareyaka::Error whose message names its line, never a crash or a hang; an accepted
// notebook writes JSON (so every text in it is valid UTF-8), maps to MedicationOrders, and
// its warnings and records point at lines the file has.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string_view>

#include "common/error.hpp"
#include "proto/jahis/notebook.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hareyaka;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::size_t lines = 1;
  for (char c : bytes)
    lines += c == '\n';
  try {
    const jahis::Notebook nb = jahis::parse_notebook(bytes);
    if (nb.version.substr(0, 7) != "JAHISTC")
      std::abort();
    for (const auto& w : nb.warnings) {
      if (w.line == 0 || w.line > lines || w.message.empty())
        std::abort();
    }
    for (const auto& d : nb.dispensings) {
      if (d.line == 0 || d.line > lines || d.date.size() != 10)
        std::abort();
      for (const auto& rp : d.rps) {
        if (rp.drugs.empty())
          std::abort();  // an RP exists only through its drugs
      }
    }
    volatile std::size_t n = jahis::to_json(nb).dump().size();
    const auto orders = jahis::to_medication_orders(nb, "fuzz.csv");
    for (const auto& o : orders)
      n = n + nlohmann::json(o).dump().size();
    (void)n;
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kUnprocessable && e.code() != ErrorCode::kPayloadTooLarge)
      std::abort();
    if (e.code() == ErrorCode::kUnprocessable && e.external().rfind("line ", 0) != 0)
      std::abort();  // every refusal names its line
  }
  return 0;
}
