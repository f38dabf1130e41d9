# Byte-to-text encodings shared by every format and by common/: base64 (RFC 4648) and the
# dates of the JSON APIs (ISO 8601).
list(APPEND PROTO_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/base64.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dates.cpp)
