// Who may read the gateway's node endpoints (its statistics, its unusable files, its outbox
// status): these say which data types, how many patients and which file paths a hospital
// holds, so a network certificate alone is not enough. Only the certificates listed in
// `node_readers` (the portal's client certificates, the operators' monitoring) may.
#pragma once

#include <string>
#include <vector>

#include "common/http_types.hpp"

namespace hareyaka::gateway {

class NodeReaders {
 public:
  explicit NodeReaders(std::vector<std::string> fingerprints)
      : fingerprints_(std::move(fingerprints)) {}
  // Throws Error 403 (and logs the refused certificate's subject) unless the request's TLS
  // peer is one of the listed certificates.
  void require(const http::Request& req) const;

 private:
  std::vector<std::string> fingerprints_;
};

}  // namespace hareyaka::gateway
