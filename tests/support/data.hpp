// Where tests find the reference data copied into the repository (tests/data/, see its
// README). Nothing outside the repository is read.
#pragma once

#include <string>

namespace hareyaka::testing {

inline std::string test_data_dir() { return HAREYAKA_TEST_DATA_DIR; }

}  // namespace hareyaka::testing
