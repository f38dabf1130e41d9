// Where tests find ../shared/data (the reference data beside the repository).
#pragma once

#include <cstdlib>
#include <string>

namespace hareyaka::testing {

inline std::string shared_data_dir() {
  if (const char* env = std::getenv("HAREYAKA_SHARED_DATA"))
    return env;
  return HAREYAKA_SHARED_DATA_DIR;
}

}  // namespace hareyaka::testing
