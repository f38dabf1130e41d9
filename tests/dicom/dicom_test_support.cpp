#include "tests/dicom/dicom_test_support.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

#include "gateway/dicom/codecs.hpp"

namespace hareyaka::testing {

std::uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot find a free port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::filesystem::path pydicom_data() {
  return "/usr/lib/python3/dist-packages/pydicom/data";
}

std::vector<std::filesystem::path> pydicom_files() {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(pydicom_data()))
    if (e.is_regular_file())
      out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

gateway::dicom::ScpSettings any_calling_ae() {
  gateway::dicom::ScpSettings s;
  s.allowed_calling_aes = {"*"};
  return s;
}

RunningScp::RunningScp(gateway::dicom::ScpSettings settings) {
  gateway::dicom::register_codecs();
  settings.port = 0;
  store = std::make_unique<gateway::dicom::DicomStore>(std::filesystem::path(dir.path()) / "store");
  scp = std::make_unique<gateway::dicom::StorageScp>(*store, settings);
  scp->start();
}

bool echo(const std::string& port, const std::string& called_ae, const std::string& calling_ae) {
  return run({"echoscu", "-aet", calling_ae, "-aec", called_ae, "127.0.0.1", port}).exit_code == 0;
}

}  // namespace hareyaka::testing
