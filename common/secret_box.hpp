// Authenticated encryption of the small secrets the portal must keep in its database but
// must not give away with a dump or a backup (TOTP secrets): AES-256-GCM (OpenSSL EVP) with a
// random 96-bit nonce per secret and caller-chosen associated data (the owner's row), so a
// ciphertext copied into another row does not open. Stored form:
//   v1:<key id>:<base64(nonce | ciphertext | tag)>
// The keys live outside the database (configuration). The first key seals; every key opens
// (rotation: a new key first, the old ones after it until everything is re-sealed).
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace hareyaka {

struct BoxKey {
  std::string id;   // 1..32 of [A-Za-z0-9._-]; named in errors, never the key
  std::string key;  // 32 raw bytes
};

// A key from the configuration's id and base64 text. Throws std::invalid_argument saying
// what is wrong (the message never holds key material).
BoxKey make_box_key(std::string id, std::string_view key_base64);

enum class OpenError {
  kNone,
  kNotSealed,     // not in the v1:... form (a plaintext value)
  kMalformed,     // v1:... but cut or not base64
  kUnknownKey,    // sealed under a key id this box does not hold (see Opened::key_id)
  kNotAuthentic,  // wrong key material, wrong associated data or tampered
};
std::string_view to_string(OpenError e);

struct Opened {
  OpenError error = OpenError::kNone;
  std::string plaintext;
  std::string key_id;  // the id the value names (when it is in the v1 form)
  bool ok() const { return error == OpenError::kNone; }
};

class SecretBox {
 public:
  SecretBox() = default;  // no keys: seal() throws, open() answers kUnknownKey
  // The first key is current. Throws std::invalid_argument on a duplicate id or a bad key.
  explicit SecretBox(std::vector<BoxKey> keys);

  bool has_keys() const;
  const std::string& current_key_id() const;  // throws std::logic_error without keys
  bool holds(std::string_view key_id) const;

  std::string seal(std::string_view plaintext, std::string_view associated_data) const;
  // Deterministic sealing (the preservation copies, where equal files must seal equal so
  // that a resend stores nothing new): the 96-bit nonce is the caller's, under the current
  // key. The caller must derive it from the plaintext (e.g. mac() of its digest), so that
  // one nonce never serves two different plaintexts. Throws std::invalid_argument unless
  // the nonce is 12 bytes.
  std::string seal_with_nonce(std::string_view plaintext, std::string_view associated_data,
                              std::string_view nonce) const;
  // HMAC-SHA256 of the message under the current key (32 raw bytes): names and nonces
  // derived from the key without giving it away.
  std::string mac(std::string_view message) const;
  Opened open(std::string_view stored, std::string_view associated_data) const;

  static bool is_sealed(std::string_view stored);  // in the v1 form (not checked further)
  // The key id a v1 value names, std::nullopt for anything else.
  static std::optional<std::string> key_id_of(std::string_view stored);

 private:
  struct Keys;  // wipes the key material when the last copy of the box goes
  std::shared_ptr<const Keys> keys_;
};

}  // namespace hareyaka
