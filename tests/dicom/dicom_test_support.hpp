// Shared helpers for the DICOM tests: free loopback ports, the pydicom sample folder, and a
// started store + SCP in a temp dir.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "gateway/dicom/storage_scp.hpp"
#include "gateway/dicom/store.hpp"
#include "tests/support/process.hpp"

namespace hareyaka::testing {

// A TCP port that was free on 127.0.0.1 a moment ago (bound to 0, read, closed): for peers
// such as Orthanc that cannot report an ephemeral port themselves.
std::uint16_t free_port();

// /usr/lib/python3/dist-packages/pydicom/data (Debian's python3-pydicom).
std::filesystem::path pydicom_data();

// Every regular file under pydicom_data(), sorted.
std::vector<std::filesystem::path> pydicom_files();

// SCP settings that admit any calling AE (an explicit "*": the default admits none).
gateway::dicom::ScpSettings any_calling_ae();

struct RunningScp {
  explicit RunningScp(gateway::dicom::ScpSettings settings = any_calling_ae());
  TempDir dir;
  std::unique_ptr<gateway::dicom::DicomStore> store;
  std::unique_ptr<gateway::dicom::StorageScp> scp;
  std::string port() const { return std::to_string(scp->port()); }
};

// echoscu against 127.0.0.1:port; true when it succeeds.
bool echo(const std::string& port, const std::string& called_ae,
          const std::string& calling_ae = "ECHOSCU");

}  // namespace hareyaka::testing
