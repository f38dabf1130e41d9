// Reads what a TLS connection knows about the peer's certificate.
#pragma once

#include <optional>

#include "common/http_types.hpp"

struct ssl_st;

namespace hareyaka::http {

std::optional<PeerCertificate> peer_certificate(ssl_st* ssl);

}  // namespace hareyaka::http
