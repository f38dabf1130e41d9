# The gateway's side of preservation (issue #20): sealing and signing.
hareyaka_test(gateway_preserve_test SOURCES sealing_test.cpp LIBS hareyaka_gateway_test_support)
