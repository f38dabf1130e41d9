# JAHIS 電子版お薬手帳 (proto/jahis): its errors are hareyaka::Error, so hareyaka_common too.
hareyaka_test(proto_jahis_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/jahis_test.cpp ${CMAKE_CURRENT_LIST_DIR}/jahis_errors_test.cpp
  LIBS hareyaka_proto hareyaka_common)
