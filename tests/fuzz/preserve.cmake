# The preservation manifest and sealed file list (#20): what a preservation node accepts from a
# gateway, and what a restore reads back from a node it does not trust.
hareyaka_fuzz_target(preserve_manifest
  SOURCES preserve_manifest_fuzz.cpp
  LIBS hareyaka_proto
  FUZZED_SOURCES ${PROJECT_SOURCE_DIR}/proto/preserve/manifest.cpp
                 ${PROJECT_SOURCE_DIR}/proto/ssmix2/storage_path.cpp
                 ${PROJECT_SOURCE_DIR}/proto/ssmix2/file_name.cpp
                 ${PROJECT_SOURCE_DIR}/proto/ssmix2/data_type.cpp
  FUZZED_LIBS nlohmann_json::nlohmann_json)
