# FHIR in (proto/fhir_in): its errors are hareyaka::Error, so hareyaka_common too.
hareyaka_test(proto_fhir_in_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/fhir_in_test.cpp
  LIBS hareyaka_proto hareyaka_common)
