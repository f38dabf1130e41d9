// A stand-in PIX consumer for ITI-46 written without any of the project's HTTP, TLS or
// HL7 code: a blocking OpenSSL server on 127.0.0.1 (mutual TLS against the network CA)
// that keeps every request body and answers with a hand-written MCCI_IN000002UV01, so that
// the portal's notifier is tested against a peer it does not share code with.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace hareyaka::testing {

class SoapReceiver {
 public:
  // cert/key: the server's certificate; ca: which client certificates it accepts.
  SoapReceiver(const std::string& cert, const std::string& key, const std::string& ca);
  ~SoapReceiver();
  SoapReceiver(const SoapReceiver&) = delete;
  SoapReceiver& operator=(const SoapReceiver&) = delete;

  int port() const { return port_; }
  // The acknowledgement typeCode sent from now on (AA by default).
  void answer_with(const std::string& type_code);
  std::vector<std::string> bodies() const;
  std::vector<std::string> content_types() const;

 private:
  void serve();
  void handle(int fd);

  int listen_fd_ = -1;
  int port_ = 0;
  void* ctx_ = nullptr;  // SSL_CTX
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::string type_code_ = "AA";
  std::vector<std::string> bodies_, content_types_;
  std::thread thread_;
};

}  // namespace hareyaka::testing
