# SS-MIX2 index build vs. a raw read of the same files (see ssmix2_index_bench.sh).
if(TARGET hareyaka_gateway_lib)
  add_executable(ssmix2_index_bench ${CMAKE_CURRENT_LIST_DIR}/ssmix2_index_bench.cpp)
  target_link_libraries(ssmix2_index_bench PRIVATE hareyaka_gateway_lib)
endif()
