// The portal's side of TOTP secrets at rest (portal/auth/totp_at_rest.hpp): the check and
// sealing at every start, and `hareyaka-portal rotate-totp-key --config FILE`, which
// re-encrypts every secret under the first key of auth.totp_encryption_keys so that the
// older keys can then be removed from the configuration.
#pragma once

#include "common/pg.hpp"
#include "common/secret_box.hpp"

namespace hareyaka::portal {

// At start, after the migrations. Refuses (Error naming the key ids) when secrets are sealed
// under keys the configuration lacks: those users could not log in. Without keys: a warning,
// secrets stay plaintext. With keys: plaintext secrets are sealed.
void secure_totp_secrets_at_start(pg::Pool& pool, const SecretBox& box);

int run_rotate_totp_key(int argc, char** argv);

}  // namespace hareyaka::portal
