# Decision + audit append per request (see decide_audit_bench.sh).
add_executable(decide_audit_bench ${CMAKE_CURRENT_LIST_DIR}/decide_audit_bench.cpp)
target_link_libraries(decide_audit_bench PRIVATE hareyaka_consent hareyaka_audit hareyaka_testing)
