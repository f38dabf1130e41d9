#include "common/secret_box.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <stdexcept>

#include "common/error.hpp"
#include "proto/encoding/base64.hpp"

namespace hareyaka {
namespace {

constexpr std::string_view kPrefix = "v1:";
constexpr std::size_t kKeySize = 32;
constexpr std::size_t kNonceSize = 12;
constexpr std::size_t kTagSize = 16;

bool valid_key_id(std::string_view id) {
  if (id.empty() || id.size() > 32)
    return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok)
      return false;
  }
  return true;
}

// The associated data GCM authenticates: the format and key id as well as the caller's, so
// a value cannot be relabelled to another key id either.
std::string full_ad(std::string_view key_id, std::string_view ad) {
  std::string s(kPrefix);
  s.append(key_id).append(1, '\0').append(ad);
  return s;
}

struct CipherCtx {
  CipherCtx() : ctx(EVP_CIPHER_CTX_new()) {
    if (!ctx)
      throw Error(ErrorCode::kInternal, "internal error", "EVP_CIPHER_CTX_new failed");
  }
  ~CipherCtx() { EVP_CIPHER_CTX_free(ctx); }
  CipherCtx(const CipherCtx&) = delete;
  EVP_CIPHER_CTX* ctx;
};

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

struct SecretBox::Keys {
  std::vector<BoxKey> list;
  ~Keys() {
    for (auto& k : list)
      OPENSSL_cleanse(k.key.data(), k.key.size());
  }
  const BoxKey* find(std::string_view id) const {
    for (const auto& k : list)
      if (k.id == id)
        return &k;
    return nullptr;
  }
};

BoxKey make_box_key(std::string id, std::string_view key_base64) {
  if (!valid_key_id(id))
    throw std::invalid_argument("the key id must be 1 to 32 of the characters A-Z a-z 0-9 . _ -");
  auto key = base64_decode(key_base64);
  if (!key)
    throw std::invalid_argument("the key of '" + id + "' is not base64");
  if (key->size() != kKeySize) {
    OPENSSL_cleanse(key->data(), key->size());
    throw std::invalid_argument("the key of '" + id + "' must be 32 bytes (it is " +
                                std::to_string(key->size()) +
                                "); make one with: openssl rand -base64 32");
  }
  return BoxKey{std::move(id), std::move(*key)};
}

std::string_view to_string(OpenError e) {
  switch (e) {
    case OpenError::kNone:
      return "none";
    case OpenError::kNotSealed:
      return "not_sealed";
    case OpenError::kMalformed:
      return "malformed";
    case OpenError::kUnknownKey:
      return "unknown_key";
    case OpenError::kNotAuthentic:
      return "not_authentic";
  }
  return "unknown";
}

SecretBox::SecretBox(std::vector<BoxKey> keys) {
  auto k = std::make_shared<Keys>();
  k->list = std::move(keys);
  for (std::size_t i = 0; i < k->list.size(); ++i) {
    const BoxKey& key = k->list[i];
    if (!valid_key_id(key.id))
      throw std::invalid_argument("a key id must be 1 to 32 of the characters A-Z a-z 0-9 . _ -");
    if (key.key.size() != kKeySize)
      throw std::invalid_argument("the key of '" + key.id + "' must be 32 bytes");
    for (std::size_t j = 0; j < i; ++j)
      if (k->list[j].id == key.id)
        throw std::invalid_argument("the key id '" + key.id + "' is listed twice");
  }
  keys_ = std::move(k);
}

bool SecretBox::has_keys() const {
  return keys_ && !keys_->list.empty();
}

const std::string& SecretBox::current_key_id() const {
  if (!has_keys())
    throw std::logic_error("SecretBox without keys");
  return keys_->list.front().id;
}

bool SecretBox::holds(std::string_view key_id) const {
  return keys_ && keys_->find(key_id) != nullptr;
}

bool SecretBox::is_sealed(std::string_view stored) {
  return stored.starts_with(kPrefix);
}

std::optional<std::string> SecretBox::key_id_of(std::string_view stored) {
  if (!is_sealed(stored))
    return std::nullopt;
  stored.remove_prefix(kPrefix.size());
  const auto colon = stored.find(':');
  if (colon == std::string_view::npos)
    return std::nullopt;
  return std::string(stored.substr(0, colon));
}

std::string SecretBox::seal(std::string_view plaintext, std::string_view ad) const {
  unsigned char nonce[kNonceSize];
  if (RAND_bytes(nonce, kNonceSize) != 1)
    throw Error(ErrorCode::kInternal, "internal error", "seal: RAND_bytes failed");
  return seal_with_nonce(plaintext, ad,
                         std::string_view(reinterpret_cast<const char*>(nonce), kNonceSize));
}

std::string SecretBox::mac(std::string_view message) const {
  if (!has_keys())
    throw Error(ErrorCode::kInternal, "internal error", "mac: no key configured");
  const BoxKey& key = keys_->list.front();
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), key.key.data(), static_cast<int>(key.key.size()), bytes(message),
            message.size(), md, &len))
    throw Error(ErrorCode::kInternal, "internal error", "mac: HMAC-SHA256 failed");
  return std::string(reinterpret_cast<char*>(md), len);
}

std::string SecretBox::seal_with_nonce(std::string_view plaintext, std::string_view ad,
                                       std::string_view nonce) const {
  if (!has_keys())
    throw Error(ErrorCode::kInternal, "internal error", "seal: no encryption key configured");
  if (nonce.size() != kNonceSize)
    throw std::invalid_argument("seal: the nonce must be 12 bytes");
  const BoxKey& key = keys_->list.front();
  const std::string aad = full_ad(key.id, ad);
  std::string blob(kNonceSize + plaintext.size() + kTagSize, '\0');
  auto* out = reinterpret_cast<unsigned char*>(blob.data());
  std::copy(nonce.begin(), nonce.end(), blob.begin());
  CipherCtx c;
  int len = 0;
  bool ok =
      EVP_EncryptInit_ex2(c.ctx, EVP_aes_256_gcm(), bytes(key.key), out, nullptr) == 1 &&
      EVP_EncryptUpdate(c.ctx, nullptr, &len, bytes(aad), static_cast<int>(aad.size())) == 1 &&
      EVP_EncryptUpdate(c.ctx, out + kNonceSize, &len, bytes(plaintext),
                        static_cast<int>(plaintext.size())) == 1;
  int tail = 0;
  ok = ok && EVP_EncryptFinal_ex(c.ctx, out + kNonceSize + len, &tail) == 1 &&
       EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_GET_TAG, kTagSize,
                           out + kNonceSize + plaintext.size()) == 1;
  if (!ok)
    throw Error(ErrorCode::kInternal, "internal error", "seal: AES-256-GCM encryption failed");
  return std::string(kPrefix) + key.id + ":" + base64_encode(blob);
}

Opened SecretBox::open(std::string_view stored, std::string_view ad) const {
  Opened r;
  auto id = key_id_of(stored);
  if (!id) {
    r.error = is_sealed(stored) ? OpenError::kMalformed : OpenError::kNotSealed;
    return r;
  }
  r.key_id = *id;
  const BoxKey* key = keys_ ? keys_->find(*id) : nullptr;
  if (!key) {
    r.error = OpenError::kUnknownKey;
    return r;
  }
  auto blob = base64_decode(stored.substr(kPrefix.size() + id->size() + 1));
  if (!blob || blob->size() < kNonceSize + kTagSize) {
    r.error = OpenError::kMalformed;
    return r;
  }
  const std::string aad = full_ad(key->id, ad);
  const std::size_t n = blob->size() - kNonceSize - kTagSize;
  auto* in = reinterpret_cast<unsigned char*>(blob->data());
  std::string plain(n, '\0');
  auto* out = reinterpret_cast<unsigned char*>(plain.data());
  CipherCtx c;
  int len = 0, tail = 0;
  const bool ok =
      EVP_DecryptInit_ex2(c.ctx, EVP_aes_256_gcm(), bytes(key->key), in, nullptr) == 1 &&
      EVP_DecryptUpdate(c.ctx, nullptr, &len, bytes(aad), static_cast<int>(aad.size())) == 1 &&
      EVP_DecryptUpdate(c.ctx, out, &len, in + kNonceSize, static_cast<int>(n)) == 1 &&
      EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_SET_TAG, kTagSize, in + kNonceSize + n) == 1 &&
      EVP_DecryptFinal_ex(c.ctx, out + len, &tail) == 1;
  if (!ok) {
    OPENSSL_cleanse(plain.data(), plain.size());
    r.error = OpenError::kNotAuthentic;
    return r;
  }
  r.plaintext = std::move(plain);
  return r;
}

}  // namespace hareyaka
