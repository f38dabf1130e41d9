# DICOM ingest of the gateway: DCMTK's reader behind the folder import, record extraction,
# character sets, DICOM JSON, rendering. Seeds: the character-set test files of Debian's
# python3-pydicom (installed by deploy/install-deps; the DICOM tests use the same package).
if(TARGET hareyaka_gateway_dicom)
  find_package(JPEG REQUIRED)
  file(GLOB dicom_fuzzed CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/gateway/dicom/*.cpp
       ${PROJECT_SOURCE_DIR}/common/error.cpp ${PROJECT_SOURCE_DIR}/common/log.cpp)
  hareyaka_fuzz_target(dicom
    SOURCES dicom_fuzz.cpp
    LIBS hareyaka_gateway_dicom
    MUTATIONS 3000
    CORPUS /usr/lib/python3/dist-packages/pydicom/data/charset_files
    FUZZED_SOURCES ${dicom_fuzzed}
    FUZZED_LIBS DCMTK::dcmdata DCMTK::dcmnet DCMTK::dcmimgle DCMTK::dcmimage DCMTK::dcmjpeg
                DCMTK::dcmjpls DCMTK::ofstd DCMTK::oflog JPEG::JPEG nlohmann_json::nlohmann_json spdlog::spdlog fmt::fmt
                Threads::Threads)
endif()
