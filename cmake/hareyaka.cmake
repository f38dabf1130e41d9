# hareyaka_library(<name> SOURCES ... DEPS ...): one static library per source folder.
function(hareyaka_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
endfunction()

# hareyaka_embed_sql(<target> <component> <dir>): numbered migrations NNNN_name.sql in <dir>
# are compiled into <target> as hareyaka::<component>::migrations(), so an installed
# daemon needs no SQL files beside it.
function(hareyaka_embed_sql target component dir)
  file(GLOB sql_files CONFIGURE_DEPENDS ${dir}/*.sql)
  list(SORT sql_files)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${component}_migrations.cpp)
  # A ;-list would be split into separate command-line arguments: pass it with '|'.
  string(REPLACE ";" "|" files_arg "${sql_files}")
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DCOMPONENT=${component} -DOUT=${out} "-DFILES=${files_arg}"
            -P ${PROJECT_SOURCE_DIR}/cmake/embed_sql.cmake
    DEPENDS ${sql_files} ${PROJECT_SOURCE_DIR}/cmake/embed_sql.cmake
    COMMENT "Embedding ${component} migrations"
    VERBATIM)
  target_sources(${target} PRIVATE ${out})
endfunction()

# hareyaka_embed_openapi(<target> <namespace> <yaml>): the OpenAPI document, converted to JSON
# at build time (python3-yaml), compiled into <target> as hareyaka::<namespace>::
# openapi_document(), so /openapi.json needs no file beside the daemon.
find_package(Python3 REQUIRED COMPONENTS Interpreter)
function(hareyaka_embed_openapi target namespace yaml)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${namespace}_openapi.cpp)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/cmake/embed_openapi.py ${yaml} ${out}
            ${namespace}
    DEPENDS ${yaml} ${PROJECT_SOURCE_DIR}/cmake/embed_openapi.py
    COMMENT "Embedding ${namespace} OpenAPI document"
    VERBATIM)
  target_sources(${target} PRIVATE ${out})
endfunction()
