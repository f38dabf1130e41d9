# The one libxml2 adapter: safe parsing (no network, no DTD, no entities), namespace-aware
# navigation and XPath, a writer, schema validation; libxml2 errors become values here.
list(APPEND PROTO_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/error_capture.cpp
  ${CMAKE_CURRENT_LIST_DIR}/document.cpp
  ${CMAKE_CURRENT_LIST_DIR}/xpath.cpp
  ${CMAKE_CURRENT_LIST_DIR}/writer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/schema.cpp)
list(APPEND PROTO_DEPS LibXml2::LibXml2)
