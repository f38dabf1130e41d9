# The hosted gateway (issue #17): uploads, tenants, the mount of their routes.
add_library(hareyaka_hosted_test_support STATIC hosted/zip_writer.cpp)
target_link_libraries(hareyaka_hosted_test_support PUBLIC hareyaka_gateway_test_support
  hareyaka_gateway_hosted)
hareyaka_test(gateway_hosted_test SOURCES hosted/ssmix2_upload_test.cpp hosted/registration_test.cpp
  hosted/tenant_files_test.cpp
  hosted/fhir_upload_test.cpp
  hosted/care_form_test.cpp
  LIBS hareyaka_hosted_test_support)
add_dependencies(gateway_hosted_test hareyaka-ssmix2-gen)
