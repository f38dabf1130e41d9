# HL7 v2.5 (SS-MIX2 profile) parsing; charset conversion uses glibc's iconv.
list(APPEND PROTO_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/charset.cpp
  ${CMAKE_CURRENT_LIST_DIR}/escape.cpp
  ${CMAKE_CURRENT_LIST_DIR}/message.cpp
  ${CMAKE_CURRENT_LIST_DIR}/parser.cpp)
