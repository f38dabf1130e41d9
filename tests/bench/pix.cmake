# PIX identity manager: ITI-44 feeds/s and ITI-45 latency over a large store (pix_bench.sh).
add_executable(pix_bench ${CMAKE_CURRENT_LIST_DIR}/pix_bench.cpp
                         ${CMAKE_CURRENT_LIST_DIR}/../pix/variant_generator.cpp)
target_link_libraries(pix_bench PRIVATE hareyaka_pix hareyaka_testing)
