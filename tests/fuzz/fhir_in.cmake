# FHIR uploads of hosted facilities (#17): JP Core resources and JP-CLINS documents as JSON.
# The reader's errors are hareyaka::Error, so common's error.cpp comes along.
if(TARGET hareyaka_common)
  file(GLOB fhir_in_fuzzed CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/proto/fhir_in/*.cpp)
  hareyaka_fuzz_target(fhir_in
    SOURCES fhir_in_fuzz.cpp
    LIBS hareyaka_proto hareyaka_common
    MUTATIONS 100000
    FUZZED_SOURCES ${fhir_in_fuzzed}
                   ${PROJECT_SOURCE_DIR}/proto/clinical/model_json.cpp
                   ${PROJECT_SOURCE_DIR}/common/error.cpp
    FUZZED_LIBS nlohmann_json::nlohmann_json)
endif()
