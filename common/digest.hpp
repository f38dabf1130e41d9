// Hex encoding and SHA-256 digests, the one place the project computes them (schema
// checksums, session token hashes, the audit chain, certificate fingerprints, outbox
// digests).
#pragma once

#include <string>
#include <string_view>

namespace hareyaka {

// Lower-case hex of the bytes.
std::string to_hex(std::string_view bytes);
// Lower-case hex of the SHA-256 of the bytes.
std::string sha256_hex(std::string_view bytes);

}  // namespace hareyaka
