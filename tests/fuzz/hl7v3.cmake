# HL7 V3 (PIX V3 / PDQ V3): SOAP envelopes, feeds, queries, acknowledgements.
file(GLOB hl7v3_fuzzed CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/proto/hl7v3/*.cpp
     ${PROJECT_SOURCE_DIR}/proto/xml/*.cpp)
hareyaka_fuzz_target(hl7v3
  SOURCES hl7v3_fuzz.cpp
  LIBS hareyaka_proto
  MUTATIONS 30000
  FUZZED_SOURCES ${hl7v3_fuzzed}
  FUZZED_LIBS LibXml2::LibXml2 nlohmann_json::nlohmann_json)
