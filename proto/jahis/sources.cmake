# JAHIS 電子版お薬手帳データフォーマット (issue #17): the pharmacies' dispensing records.
# Shift_JIS decoding uses glibc's iconv. Errors are hareyaka::Error (common/error.hpp, the
# errors-only use of common that docs/architecture.md allows): whatever links these sources
# links hareyaka_common too (not a PROTO_DEPS entry, which would make a cycle).
list(APPEND PROTO_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/text.cpp
  ${CMAKE_CURRENT_LIST_DIR}/notebook.cpp
  ${CMAKE_CURRENT_LIST_DIR}/notebook_json.cpp)
