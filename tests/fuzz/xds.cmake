# IHE XCA (ITI-38/39): ebRS 3.0 stored queries, document set requests and responses, MTOM.
file(GLOB xds_fuzzed CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/proto/xds/*.cpp
     ${PROJECT_SOURCE_DIR}/proto/hl7v3/soap.cpp ${PROJECT_SOURCE_DIR}/proto/xml/*.cpp)
hareyaka_fuzz_target(xds
  SOURCES xds_fuzz.cpp
  LIBS hareyaka_proto
  MUTATIONS 30000
  FUZZED_SOURCES ${xds_fuzzed}
  FUZZED_LIBS LibXml2::LibXml2)
