// TOTP secrets at rest: users.totp_secret holds either a SecretBox value (v1:<key id>:...)
// sealed with the user id as associated data, or, on a portal without a configured key, the
// plain base32 secret (dev/demo only; the portal warns at start). These functions bring the
// table to the configured keys: at every start (plaintext rows sealed) and from
// `hareyaka-portal rotate-totp-key` (everything re-sealed under the current key). Each runs
// in one transaction under an advisory lock and updates a row only if it still holds the
// value read, so two portals starting at once do not double-seal or lose an enrolment.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/pg.hpp"
#include "common/secret_box.hpp"

namespace hareyaka::auth {

// The associated data that binds a sealed secret to its row.
std::string totp_associated_data(std::int64_t user_id);

struct TotpAtRestReport {
  std::int64_t sealed = 0;    // plaintext rows now sealed
  std::int64_t resealed = 0;  // rows moved from an older key to the current one
};

enum class ResealScope {
  kPlaintextOnly,  // start: seal what is still plaintext, leave sealed rows alone
  kAll,            // rotation: also re-seal rows under any key but the current one
};

// Throws Error(kUnavailable) naming the key id (never the secret) when a row is sealed
// under a key the box lacks or does not open with it; nothing is changed then.
TotpAtRestReport reseal_totp_secrets(pg::Pool& pool, const SecretBox& box, ResealScope scope);

struct TotpAtRestState {
  std::int64_t plaintext = 0;
  std::vector<std::string> key_ids;  // distinct key ids in use
};
TotpAtRestState totp_at_rest_state(pg::Pool& pool);

}  // namespace hareyaka::auth
