// Who may read what a network certificate alone may not: a gateway's statistics, unusable
// files and outbox status (which data types, how many patients and which file paths a
// hospital holds), a daemon's /metrics (the network's use). Only the TLS client certificates
// listed by SHA-256 fingerprint (the portal's, the operators' monitoring) may; an empty list
// allows nobody.
#pragma once

#include <string>
#include <vector>

#include "common/http_types.hpp"

namespace hareyaka::http {

class PeerAllowlist {
 public:
  // `what` names the protected thing in the refusal ("the gateway's status").
  PeerAllowlist(std::vector<std::string> fingerprints, std::string what)
      : fingerprints_(std::move(fingerprints)), what_(std::move(what)) {}
  bool allows(const Request& req) const;
  // Throws Error 403 (and logs the refused certificate's subject) unless the request's TLS
  // peer is one of the listed certificates.
  void require(const Request& req) const;

 private:
  std::vector<std::string> fingerprints_;
  std::string what_;
};

}  // namespace hareyaka::http
