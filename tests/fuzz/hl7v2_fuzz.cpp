// Fuzz target for the HL7 v2 parser and the SS-MIX2 mapping: any bytes must give either a
// message or an error saying where, never a crash, a hang or an out-of-bounds read; and
// mapping any message that parses as any data type must not crash either.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "proto/hl7v2/parser.hpp"
#include "proto/ssmix2/mapping.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hareyaka;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  hl7v2::ParseResult r = hl7v2::parse(bytes);
  if (!r.ok()) {
    // The error must be printable and the partial message readable.
    volatile std::size_t n = r.error->to_string().size();
    (void)n;
  }
  // Read every field, component and subcomponent the message has (and a few it has not).
  std::size_t total = 0;
  for (const auto& seg : r.message.segments()) {
    for (int f = 0; f <= seg.field_count() + 1; ++f) {
      int reps = seg.repetitions(f);
      for (int rep = 0; rep <= reps; ++rep) {
        for (int c = 0; c <= 3; ++c) {
          for (int s = 0; s <= 2; ++s)
            total += seg.get(f, c, s, rep).size();
        }
      }
    }
  }
  (void)total;
  if (r.ok()) {
    clinical::Source src;
    src.file = "000/000/0000001/20240101/OMP-01/0000001_20240101_OMP-01_1_20240101000000000_01_1";
    for (int t = 0; t < ssmix2::kDataTypeCount; ++t) {
      ssmix2::Content c = ssmix2::map_message(static_cast<ssmix2::DataType>(t), r.message, src);
      (void)c;
    }
  }
  // The whole file path as the gateway reads it.
  ssmix2::ReadResult rr = ssmix2::read_standard_file(
      "999/901/9999013/20111220/OML-11/"
      "9999013_20111220_OML-11_000000011000354_20111220103059000_01_1",
      bytes);
  (void)rr;
  return 0;
}
