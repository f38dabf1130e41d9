// What a gateway does to its records before they leave the hospital for a preservation node
// (issue #20): each file is sealed with the hospital's preservation key (AES-256-GCM,
// common/secret_box), the file list likewise, and the manifest signed with the gateway's
// Ed25519 preservation key. Sealing is deterministic: the nonce is derived (HMAC under the
// key) from the plaintext's digest, so an unchanged file seals to the same object and a
// resend after a crash stores nothing twice. The node holds neither key; the hospital and the
// secretariat do (docs/operations.md "Preservation").
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/secret_box.hpp"
#include "common/signing.hpp"
#include "proto/preserve/manifest.hpp"

namespace hareyaka::gateway::preserve {

using hareyaka::preserve::Manifest;
using hareyaka::preserve::PatientIndex;

struct SealedObject {
  std::string blob;    // what the node stores
  std::string object;  // SHA-256 (hex) of the blob: its name at the node
};

struct OpenedManifest {
  std::optional<PatientIndex> index;
  std::string error;  // why not: signature, key, tampering, form
};

class PreserveCrypto {
 public:
  // keys: the first seals, every one opens (rotation). signing_key_file: the gateway's
  // Ed25519 private key (PEM) or, for a restore on another machine, its public key.
  PreserveCrypto(std::vector<BoxKey> keys, const std::string& signing_key_file,
                 std::string facility_oid);

  const std::string& facility() const { return facility_; }
  // The node's name for a patient: HMAC of the facility and patient id (not reversible).
  std::string patient_ref(const std::string& patient_id) const;
  SealedObject seal_file(std::string_view bytes, const std::string& sha256) const;
  // The file's bytes, when the blob is authentic and its content has that digest.
  std::optional<std::string> open_file(std::string_view blob, const std::string& sha256) const;
  Manifest make_manifest(const PatientIndex& index, std::int64_t now_ms) const;
  OpenedManifest open_manifest(const Manifest& m) const;

 private:
  SecretBox box_;
  Ed25519Key signer_;
  std::string facility_;
};

}  // namespace hareyaka::gateway::preserve
