# The CSV directory import of the admin console (UTF-8 or Shift_JIS spreadsheets).
if(TARGET hareyaka_portal_lib)
  hareyaka_fuzz_target(csv
    SOURCES csv_fuzz.cpp
    LIBS hareyaka_portal_lib
    MUTATIONS 50000
    FUZZED_SOURCES ${PROJECT_SOURCE_DIR}/portal/hpd_feed/csv_table.cpp
                   ${PROJECT_SOURCE_DIR}/common/error.cpp
    FUZZED_LIBS)
endif()
