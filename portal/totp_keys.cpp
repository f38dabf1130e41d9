#include "portal/totp_keys.hpp"

#include <cstdio>
#include <cstring>
#include <string>

#include "common/error.hpp"
#include "common/log.hpp"
#include "common/migrations.hpp"
#include "portal/auth/totp_at_rest.hpp"
#include "portal/config.hpp"
#include "portal/schema.hpp"

namespace hareyaka::portal {

void secure_totp_secrets_at_start(pg::Pool& pool, const SecretBox& box) {
  const auth::TotpAtRestState state = auth::totp_at_rest_state(pool);
  std::string missing;
  for (const auto& id : state.key_ids) {
    if (!box.holds(id))
      missing += (missing.empty() ? "'" : ", '") + id + "'";
  }
  if (!missing.empty()) {
    throw Error(ErrorCode::kUnavailable, "TOTP encryption key missing",
                "TOTP secrets in the database are encrypted under key id(s) " + missing +
                    " that auth.totp_encryption_keys does not list; add the key(s) back (their "
                    "users could not log in otherwise)");
  }
  if (!box.has_keys()) {
    log::warn(
        "TOTP secrets are stored unencrypted: configure auth.totp_encryption_keys (see "
        "docs/operations.md)",
        {.component = "auth", .count = state.plaintext});
    return;
  }
  const auto report = auth::reseal_totp_secrets(pool, box, auth::ResealScope::kPlaintextOnly);
  log::info("TOTP secrets encrypted at rest",
            {.component = "auth", .detail = box.current_key_id(), .count = report.sealed});
}

int run_rotate_totp_key(int argc, char** argv) {
  constexpr const char* kUsage = "usage: hareyaka-portal rotate-totp-key --config FILE\n";
  std::string config_file;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--config") && i + 1 < argc) {
      config_file = argv[++i];
    } else {
      std::fputs(kUsage, stderr);
      return 2;
    }
  }
  if (config_file.empty()) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  try {
    const PortalConfig cfg = load_portal_config(config_file);
    const SecretBox& box = cfg.auth.totp_box;
    if (!box.has_keys()) {
      std::fprintf(stderr,
                   "hareyaka-portal rotate-totp-key: %s has no auth.totp_encryption_keys; add "
                   "the new key first in the list, the old ones after it\n",
                   config_file.c_str());
      return 2;
    }
    pg::Pool pool({.conninfo = cfg.database.conninfo, .size = 1});
    pg::apply_migrations(pool, all_migrations());
    const auto report = auth::reseal_totp_secrets(pool, box, auth::ResealScope::kAll);
    std::printf(
        "rotate-totp-key: %lld secret(s) re-encrypted and %lld plaintext secret(s) encrypted "
        "under key id '%s'; every secret now opens with that key alone\n",
        static_cast<long long>(report.resealed), static_cast<long long>(report.sealed),
        box.current_key_id().c_str());
    return 0;
  } catch (const config::ConfigError& e) {
    std::fprintf(stderr, "hareyaka-portal rotate-totp-key: %s\n", e.what());
    return 2;
  } catch (const Error& e) {
    std::fprintf(stderr, "hareyaka-portal rotate-totp-key: %s\n", e.internal().c_str());
  }
  return 1;
}

}  // namespace hareyaka::portal
