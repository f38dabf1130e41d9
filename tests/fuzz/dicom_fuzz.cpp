// Fuzz target for the gateway's DICOM ingest: any bytes given to the folder import (the
// same validation C-STORE and import use: DCMTK's reader, the record's UIDs and pixel-data
// checks, the character-set conversion to UTF-8) must be stored or refused with Error,
// never crash or hang; whatever is stored must give DICOM JSON and either a rendered image
// or the documented "cannot render" refusal. The store lives in a temporary folder of the
// process, removed at exit.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/oflog/oflog.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "common/error.hpp"
#include "gateway/dicom/dicom_json.hpp"
#include "gateway/dicom/render.hpp"
#include "gateway/dicom/store.hpp"

namespace {

namespace fs = std::filesystem;
using namespace hareyaka;

struct Scratch {
  fs::path dir;
  std::unique_ptr<gateway::dicom::DicomStore> store;
  Scratch() {
    OFLog::configure(OFLogger::FATAL_LOG_LEVEL);  // DCMTK's complaints about each input
    dir = fs::temp_directory_path() / ("hareyaka-dicom-fuzz-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir / "in");
    store = std::make_unique<gateway::dicom::DicomStore>(dir / "store");
  }
  ~Scratch() {
    store.reset();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

Scratch& scratch() {
  static Scratch s;
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto& s = scratch();
  const fs::path input = s.dir / "in" / "input.dcm";
  {
    std::ofstream out(input, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    const auto record = s.store->import_file(input);
    const auto stored = s.store->file_of(record);
    (void)gateway::dicom::file_to_json(stored, "bulk");
    (void)gateway::dicom::instance_json(record);
    if (record.frames > 0) {
      gateway::dicom::RenderOptions o;
      o.rows = 32;
      try {
        (void)gateway::dicom::render(stored, o);
      } catch (const Error& e) {
        if (e.code() != ErrorCode::kUnprocessable && e.code() != ErrorCode::kBadRequest)
          std::abort();  // a stored image either renders or is refused as unrenderable
      }
    }
    // Keep the store small: the next input starts from an empty study.
    std::error_code ec;
    fs::remove(stored, ec);
    s.store->rescan();
  } catch (const Error&) {
  }
  return 0;
}
