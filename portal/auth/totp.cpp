#include "portal/auth/totp.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include <cstdio>

namespace hareyaka::auth {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

const EVP_MD* digest(TotpAlgorithm a) {
  switch (a) {
    case TotpAlgorithm::kSha1:
      return EVP_sha1();
    case TotpAlgorithm::kSha256:
      return EVP_sha256();
    case TotpAlgorithm::kSha512:
      return EVP_sha512();
  }
  return EVP_sha1();
}

const char* name(TotpAlgorithm a) {
  switch (a) {
    case TotpAlgorithm::kSha1:
      return "SHA1";
    case TotpAlgorithm::kSha256:
      return "SHA256";
    case TotpAlgorithm::kSha512:
      return "SHA512";
  }
  return "SHA1";
}

std::string percent_encode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~' || c == '@') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

}  // namespace

std::string base32_encode(std::string_view bytes) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 5) {
      out += kAlphabet[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0)
    out += kAlphabet[(buffer << (5 - bits)) & 31];
  return out;
}

std::optional<std::string> base32_decode(std::string_view text) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char ch : text) {
    if (ch == ' ' || ch == '=' || ch == '-')
      continue;
    int v;
    if (ch >= 'A' && ch <= 'Z') {
      v = ch - 'A';
    } else if (ch >= 'a' && ch <= 'z') {
      v = ch - 'a';
    } else if (ch >= '2' && ch <= '7') {
      v = ch - '2' + 26;
    } else {
      return std::nullopt;
    }
    buffer = (buffer << 5) | static_cast<unsigned>(v);
    bits += 5;
    if (bits >= 8) {
      out += static_cast<char>((buffer >> (bits - 8)) & 0xFF);
      bits -= 8;
    }
  }
  return out;
}

std::string generate_totp_secret() {
  if (sodium_init() < 0)
    return {};
  unsigned char key[20];
  randombytes_buf(key, sizeof key);
  return base32_encode(std::string_view(reinterpret_cast<const char*>(key), sizeof key));
}

std::int64_t totp_step(hpd::TimePoint t, const TotpSettings& s) {
  const auto secs = std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count();
  const std::int64_t period = s.period_s > 0 ? s.period_s : 30;
  return secs >= 0 ? secs / period : (secs - period + 1) / period;
}

std::string totp_code(std::string_view key, std::int64_t step, const TotpSettings& s) {
  unsigned char msg[8];
  for (int i = 7; i >= 0; --i) {
    msg[i] = static_cast<unsigned char>(step & 0xFF);
    step >>= 8;
  }
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(digest(s.algorithm), key.data(), static_cast<int>(key.size()), msg, sizeof msg, mac, &len);
  const int offset = mac[len - 1] & 0x0F;
  const std::uint32_t bin = ((mac[offset] & 0x7F) << 24) | (mac[offset + 1] << 16) |
                            (mac[offset + 2] << 8) | mac[offset + 3];
  std::uint32_t mod = 1;
  for (int i = 0; i < s.digits; ++i)
    mod *= 10;
  std::string code = std::to_string(bin % mod);
  return std::string(static_cast<std::size_t>(s.digits) - code.size(), '0') + code;
}

std::optional<std::int64_t> verify_totp(std::string_view secret_base32, std::string_view code,
                                        hpd::TimePoint now, const TotpSettings& s) {
  if (code.size() != static_cast<std::size_t>(s.digits))
    return std::nullopt;
  for (char c : code) {
    if (c < '0' || c > '9')
      return std::nullopt;
  }
  auto key = base32_decode(secret_base32);
  if (!key || key->empty())
    return std::nullopt;
  const std::int64_t current = totp_step(now, s);
  std::optional<std::int64_t> match;
  // Every candidate is computed and compared in constant time, so timing reveals nothing.
  for (std::int64_t step = current - s.window; step <= current + s.window; ++step) {
    const std::string want = totp_code(*key, step, s);
    if (CRYPTO_memcmp(want.data(), code.data(), want.size()) == 0 && !match)
      match = step;
  }
  return match;
}

std::string otpauth_uri(std::string_view issuer, std::string_view account,
                        std::string_view secret_base32, const TotpSettings& s) {
  return "otpauth://totp/" + percent_encode(issuer) + ":" + percent_encode(account) +
         "?secret=" + std::string(secret_base32) + "&issuer=" + percent_encode(issuer) +
         "&algorithm=" + name(s.algorithm) + "&digits=" + std::to_string(s.digits) +
         "&period=" + std::to_string(s.period_s);
}

}  // namespace hareyaka::auth
