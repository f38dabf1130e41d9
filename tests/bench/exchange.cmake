# The exchange with the real daemons (exchange_bench.py): timeline of one person over 5
# gateways under load, and a large document relayed by the portal against direct and nginx.
# ctest runs only its --smoke mode (proves the script still works; measures nothing).
if(TARGET hareyaka-portal AND TARGET hareyaka-gateway AND TARGET hareyaka-ssmix2-gen)
  add_test(NAME exchange_bench_smoke
    COMMAND ${CMAKE_CURRENT_LIST_DIR}/exchange_bench.py ${PROJECT_BINARY_DIR} --smoke)
  set_tests_properties(exchange_bench_smoke PROPERTIES TIMEOUT 180 LABELS bench)
endif()
# kill -9 of a gateway, the portal and PostgreSQL under load, and a full disk at a gateway
# (faults_under_load.py): its checks are invariants (nothing acknowledged lost, the audit
# chain verifies, no disclosure without its record, refusal and recovery), not timings.
if(TARGET hareyaka-portal AND TARGET hareyaka-gateway AND TARGET hareyaka-audit-verify)
  add_test(NAME faults_under_load
    COMMAND ${CMAKE_CURRENT_LIST_DIR}/faults_under_load.py ${PROJECT_BINARY_DIR}
            --load 30 --connections 20 --users 20)
  set_tests_properties(faults_under_load PROPERTIES TIMEOUT 600)
endif()
# The hosted gateway's tenants and uploads (hosted_bench.py): ctest runs its --smoke mode.
if(TARGET hareyaka-hosted AND TARGET hareyaka-gateway AND TARGET hareyaka-ssmix2-gen)
  add_test(NAME hosted_bench_smoke
    COMMAND ${CMAKE_CURRENT_LIST_DIR}/hosted_bench.py ${PROJECT_BINARY_DIR} --smoke)
  set_tests_properties(hosted_bench_smoke PROPERTIES TIMEOUT 180 LABELS bench)
endif()
