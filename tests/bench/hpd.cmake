# HPD directory feed throughput and search latency (see README.md).
add_executable(hpd_bench ${CMAKE_CURRENT_LIST_DIR}/hpd_bench.cpp)
target_link_libraries(hpd_bench PRIVATE hareyaka_hpd hareyaka_testing)
