#include "common/signing.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdio>

#include "common/error.hpp"
#include "common/tls.hpp"

namespace hareyaka {

struct Ed25519Key::Impl {
  EVP_PKEY* pkey = nullptr;
  bool is_private = false;
  ~Impl() { EVP_PKEY_free(pkey); }
};

namespace {

std::unique_ptr<Ed25519Key::Impl> read_key(const std::string& file, std::string_view what,
                                           bool is_private) {
  FILE* f = std::fopen(file.c_str(), "r");
  if (!f)
    throw Error(ErrorCode::kInternal, "cannot start",
                "cannot read " + std::string(what) + " " + file);
  EVP_PKEY* k = is_private ? PEM_read_PrivateKey(f, nullptr, nullptr, nullptr)
                           : PEM_read_PUBKEY(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  if (!k || EVP_PKEY_get_id(k) != EVP_PKEY_ED25519) {
    if (k)
      EVP_PKEY_free(k);
    throw Error(ErrorCode::kInternal, "cannot start",
                std::string(what) + " " + file + " is not an Ed25519 " +
                    (is_private ? "private" : "public") + " key: " + tls::drain_openssl_errors());
  }
  auto impl = std::make_unique<Ed25519Key::Impl>();
  impl->pkey = k;
  impl->is_private = is_private;
  return impl;
}

}  // namespace

Ed25519Key::Ed25519Key(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Ed25519Key::Ed25519Key(Ed25519Key&&) noexcept = default;
Ed25519Key& Ed25519Key::operator=(Ed25519Key&&) noexcept = default;
Ed25519Key::~Ed25519Key() = default;

Ed25519Key Ed25519Key::private_from_file(const std::string& file, std::string_view what) {
  return Ed25519Key(read_key(file, what, true));
}

Ed25519Key Ed25519Key::public_from_file(const std::string& file, std::string_view what) {
  return Ed25519Key(read_key(file, what, false));
}

std::string Ed25519Key::public_pem() const {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), impl_->pkey) != 1)
    throw Error(ErrorCode::kInternal, "internal error",
                "cannot write a public key: " + tls::drain_openssl_errors());
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::string Ed25519Key::sign(std::string_view message) const {
  if (!impl_->is_private)
    throw Error(ErrorCode::kInternal, "internal error", "signing with a public key");
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  unsigned char sig[64];
  std::size_t len = sizeof sig;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, impl_->pkey) != 1 ||
      EVP_DigestSign(ctx.get(), sig, &len, reinterpret_cast<const unsigned char*>(message.data()),
                     message.size()) != 1) {
    throw Error(ErrorCode::kInternal, "internal error",
                "Ed25519 signing failed: " + tls::drain_openssl_errors());
  }
  return std::string(reinterpret_cast<char*>(sig), len);
}

bool Ed25519Key::verify(std::string_view message, std::string_view signature) const {
  if (signature.size() != 64)
    return false;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  const bool ok =
      ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, impl_->pkey) == 1 &&
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) == 1;
  if (!ok)
    tls::drain_openssl_errors();
  return ok;
}

}  // namespace hareyaka
