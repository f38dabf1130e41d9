hareyaka_test(proto_encoding_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/base64_test.cpp ${CMAKE_CURRENT_LIST_DIR}/dates_test.cpp
  LIBS hareyaka_proto)
