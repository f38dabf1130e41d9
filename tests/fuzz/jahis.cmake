# The pharmacies' JAHIS お薬手帳 files (#17): what a pharmacy discloses, in UTF-8 or
# Shift_JIS. The reader's errors are hareyaka::Error, so common's error.cpp comes along.
if(TARGET hareyaka_common)
  file(GLOB jahis_fuzzed CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/proto/jahis/*.cpp)
  hareyaka_fuzz_target(jahis
    SOURCES jahis_fuzz.cpp
    LIBS hareyaka_proto hareyaka_common
    MUTATIONS 100000
    FUZZED_SOURCES ${jahis_fuzzed}
                   ${PROJECT_SOURCE_DIR}/proto/hl7v2/charset.cpp
                   ${PROJECT_SOURCE_DIR}/proto/clinical/model_json.cpp
                   ${PROJECT_SOURCE_DIR}/common/error.cpp
    FUZZED_LIBS nlohmann_json::nlohmann_json)
endif()
