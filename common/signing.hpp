// Ed25519 signatures (OpenSSL EVP), the one place the project makes and checks them: the
// portal's access assertions (common/assertion) and the gateway's preservation manifests
// (gateway/preserve). Keys are PEM files; anything but an Ed25519 key is refused at load.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace hareyaka {

class Ed25519Key {
 public:
  // Throws Error(kInternal, "cannot start") naming the file (never the key) when the file
  // cannot be read or holds no Ed25519 key of that kind. `what` names the key in the error
  // ("assertion key").
  static Ed25519Key private_from_file(const std::string& pem_file, std::string_view what);
  static Ed25519Key public_from_file(const std::string& pem_file, std::string_view what);
  // The public half of a private key, as a PEM text (what a verifier is configured with).
  std::string public_pem() const;

  Ed25519Key(Ed25519Key&&) noexcept;
  Ed25519Key& operator=(Ed25519Key&&) noexcept;
  ~Ed25519Key();

  // 64 raw bytes. Throws Error(kInternal) on a public key or an OpenSSL failure.
  std::string sign(std::string_view message) const;
  bool verify(std::string_view message, std::string_view signature) const;

  struct Impl;  // defined in signing.cpp

 private:
  explicit Ed25519Key(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace hareyaka
