# Byte-to-text encodings shared by every format and by common/ (base64, RFC 4648).
list(APPEND PROTO_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/base64.cpp)
