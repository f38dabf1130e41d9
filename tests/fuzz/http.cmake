# The HTTP server's front: Beast's request parser with the server's limits, Boost.URL's
# origin-form target and query, the router's match.
if(TARGET hareyaka_common)
  hareyaka_fuzz_target(http
    SOURCES http_fuzz.cpp
    LIBS hareyaka_common
    MUTATIONS 100000
    FUZZED_SOURCES ${PROJECT_SOURCE_DIR}/common/router.cpp ${PROJECT_SOURCE_DIR}/common/http_types.cpp
                   ${PROJECT_SOURCE_DIR}/common/error.cpp
                   ${PROJECT_SOURCE_DIR}/common/asio_impl.cpp
    FUZZED_LIBS Boost::headers Boost::url OpenSSL::SSL OpenSSL::Crypto)
  if(HAREYAKA_FUZZ)
    target_compile_definitions(http_libfuzzer PRIVATE BOOST_ASIO_SEPARATE_COMPILATION
      BOOST_BEAST_SEPARATE_COMPILATION BOOST_ASIO_NO_DEPRECATED BOOST_BEAST_USE_STD_STRING_VIEW)
  endif()
endif()
