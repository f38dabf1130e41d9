# SS-MIX2 storage rules (paths, file names, data types) and the mapping of each standard
# data type to the clinical model.
list(APPEND PROTO_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/data_type.cpp
  ${CMAKE_CURRENT_LIST_DIR}/file_name.cpp
  ${CMAKE_CURRENT_LIST_DIR}/storage_path.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mapping.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mapping_fields.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mapping_orders.cpp)
