// Reads what a TLS connection knows about the peer's certificate, and the fingerprint of a
// node's own certificate file (what its peers will see as sha256_fingerprint).
#pragma once

#include <optional>
#include <string>

#include "common/http_types.hpp"

struct ssl_st;

namespace hareyaka::http {

std::optional<PeerCertificate> peer_certificate(ssl_st* ssl);

// Lower-case hex SHA-256 of the DER of the first certificate in a PEM file (the leaf of a
// chain file). Throws Error when the file cannot be read or holds no certificate.
std::string certificate_file_sha256(const std::string& pem_file);

}  // namespace hareyaka::http
