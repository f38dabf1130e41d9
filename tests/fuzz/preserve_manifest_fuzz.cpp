// Fuzz target for the preservation manifest (what a node accepts) and the sealed file list
// (what a restore writes paths from): any bytes give a manifest or a named error, never a
// crash; an accepted manifest writes back to the same form; an accepted file list holds only
// standard-storage paths of its patient, never an absolute path or "..".
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "proto/preserve/manifest.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hareyaka::preserve;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto parsed = parse_manifest(bytes);
  if (parsed.manifest) {
    if (!parsed.error.empty())
      std::abort();
    auto again = parse_manifest(to_json(*parsed.manifest));
    if (!again.manifest || signed_bytes(*again.manifest) != signed_bytes(*parsed.manifest))
      std::abort();  // the form is stable
  } else if (parsed.error.empty()) {
    std::abort();  // a refusal names its reason
  }
  std::string why;
  if (auto index = parse_index(bytes, why)) {
    for (const auto& f : index->files) {
      if (f.path.empty() || f.path[0] == '/' || f.path.find("..") != std::string::npos)
        std::abort();
    }
  } else if (why.empty()) {
    std::abort();
  }
  return 0;
}
