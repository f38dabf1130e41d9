// TOTP (RFC 6238) over HOTP (RFC 4226): HMAC-SHA-1, 6 digits, 30-second steps by default,
// accepting the previous, current and next step (clock drift). Replay prevention is the
// caller's: the matched step is returned so that DirectoryStore::claim_totp_step() can
// accept each step at most once per user. Secrets are 20 random bytes, exchanged in base32
// (RFC 4648) inside an otpauth:// URI for authenticator apps.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "hpd/time.hpp"

namespace hareyaka::auth {

enum class TotpAlgorithm { kSha1, kSha256, kSha512 };

struct TotpSettings {
  TotpAlgorithm algorithm = TotpAlgorithm::kSha1;
  int digits = 6;  // 6..8
  int period_s = 30;
  int window = 1;  // steps accepted either side of the current one
};

std::string base32_encode(std::string_view bytes);  // upper-case, no padding
// Accepts upper/lower case, spaces and '=' padding; std::nullopt on any other character.
std::optional<std::string> base32_decode(std::string_view text);

// A new random secret (20 bytes), base32.
std::string generate_totp_secret();

// The step number of a time (floor(unix seconds / period)).
std::int64_t totp_step(hpd::TimePoint t, const TotpSettings& s = {});
// The code for a step, zero-padded to s.digits.
std::string totp_code(std::string_view key, std::int64_t step, const TotpSettings& s = {});

// Checks a code typed by the user against the steps around `now`. Returns the matching step
// (for the replay guard), std::nullopt if none matches or the code is malformed.
std::optional<std::int64_t> verify_totp(std::string_view secret_base32, std::string_view code,
                                        hpd::TimePoint now, const TotpSettings& s = {});

// otpauth://totp/Issuer:account?secret=...&issuer=Issuer&algorithm=SHA1&digits=6&period=30
std::string otpauth_uri(std::string_view issuer, std::string_view account,
                        std::string_view secret_base32, const TotpSettings& s = {});

}  // namespace hareyaka::auth
