# Months of generated view activity for the usage statistics (stats_bench.sh, browser test).
add_executable(hareyaka-stats-gen ${CMAKE_CURRENT_LIST_DIR}/stats_gen.cpp)
target_link_libraries(hareyaka-stats-gen PRIVATE hareyaka_audit)
add_executable(stats_bench ${CMAKE_CURRENT_LIST_DIR}/stats_bench.cpp)
target_link_libraries(stats_bench PRIVATE hareyaka_portal_lib hareyaka_testing)
add_dependencies(stats_bench hareyaka-stats-gen)
