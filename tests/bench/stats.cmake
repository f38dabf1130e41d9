# Months of generated view activity for the usage statistics (stats_bench.sh, browser test).
add_executable(hareyaka-stats-gen ${CMAKE_CURRENT_LIST_DIR}/stats_gen.cpp)
target_link_libraries(hareyaka-stats-gen PRIVATE hareyaka_audit)
