# The SS-MIX2 half of the gateway: storage index, record queries, command-line tools.
set(GATEWAY_SSMIX2_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/storage/entries.cpp
  ${CMAKE_CURRENT_LIST_DIR}/storage/scanner.cpp
  ${CMAKE_CURRENT_LIST_DIR}/storage/index_cache.cpp
  ${CMAKE_CURRENT_LIST_DIR}/storage/storage_index.cpp
  ${CMAKE_CURRENT_LIST_DIR}/storage/storage_follow.cpp
  ${CMAKE_CURRENT_LIST_DIR}/record/record_query.cpp
  ${CMAKE_CURRENT_LIST_DIR}/record/parsed_files.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cli/commands.cpp)
