# The gateway's copy of the network directory (gateway/directory/).
hareyaka_test(gateway_directory_cache_test SOURCES directory_cache_test.cpp
  LIBS hareyaka_gateway_lib)
