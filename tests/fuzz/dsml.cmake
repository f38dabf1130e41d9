# DSMLv2 (IHE HPD): the parser, writer, DNs and filter evaluation.
if(TARGET hareyaka_hpd)
  file(GLOB dsml_fuzzed CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/hpd/dsml/*.cpp
       ${PROJECT_SOURCE_DIR}/hpd/hpd_filter.cpp ${PROJECT_SOURCE_DIR}/hpd/hpd_schema.cpp
       ${PROJECT_SOURCE_DIR}/hpd/hpd_mapping.cpp ${PROJECT_SOURCE_DIR}/hpd/oid.cpp
       ${PROJECT_SOURCE_DIR}/hpd/facility.cpp ${PROJECT_SOURCE_DIR}/hpd/user.cpp
       ${PROJECT_SOURCE_DIR}/proto/xml/*.cpp ${PROJECT_SOURCE_DIR}/proto/encoding/*.cpp)
  hareyaka_fuzz_target(dsml
    SOURCES dsml_fuzz.cpp
    LIBS hareyaka_hpd
    MUTATIONS 50000
    FUZZED_SOURCES ${dsml_fuzzed}
    FUZZED_LIBS LibXml2::LibXml2 nlohmann_json::nlohmann_json)
endif()
