# FHIR R4 JSON in (issue #17): JP Core resources and JP-CLINS documents a hosted facility
# uploads, read into the clinical model. Errors are hareyaka::Error (common/error.hpp, the
# errors-only use of common, as proto/jahis): whatever links these links hareyaka_common too.
list(APPEND PROTO_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/reader.cpp
  ${CMAKE_CURRENT_LIST_DIR}/resources.cpp)
