# CPU per gateway data-API page with and without the parsed-file cache (record_page_bench.cpp).
if(TARGET hareyaka_gateway_lib AND TARGET hareyaka-ssmix2-gen)
  add_executable(record_page_bench ${CMAKE_CURRENT_LIST_DIR}/record_page_bench.cpp)
  target_link_libraries(record_page_bench PRIVATE hareyaka_gateway_lib)
endif()
