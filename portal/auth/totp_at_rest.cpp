#include "portal/auth/totp_at_rest.hpp"

#include "common/error.hpp"

namespace hareyaka::auth {
namespace {

// Any constant works; it only has to be the same in every portal of the database.
constexpr pg::Statement kLock{"auth_totp_at_rest_lock",
                              "SELECT pg_advisory_xact_lock(7243015560417001)"};
constexpr pg::Statement kEnrolled{
    "auth_totp_enrolled",
    "SELECT id, totp_secret FROM users WHERE totp_secret <> '' ORDER BY id FOR UPDATE"};
constexpr pg::Statement kReplace{
    "auth_totp_replace",
    "UPDATE users SET totp_secret = $2 WHERE id = $1 AND totp_secret = $3 RETURNING id"};
constexpr pg::Statement kState{
    "auth_totp_state",
    "SELECT count(*) FILTER (WHERE totp_secret NOT LIKE 'v1:%'), "
    "coalesce(string_agg(DISTINCT split_part(totp_secret, ':', 2), ',') "
    "FILTER (WHERE totp_secret LIKE 'v1:%'), '') FROM users WHERE totp_secret <> ''"};

}  // namespace

std::string totp_associated_data(std::int64_t user_id) {
  return "hareyaka.users.totp_secret:" + std::to_string(user_id);
}

TotpAtRestReport reseal_totp_secrets(pg::Pool& pool, const SecretBox& box, ResealScope scope) {
  if (!box.has_keys())
    return {};
  const std::string& current = box.current_key_id();
  return pg::transact(pool, [&](pg::Tx& tx) {
    TotpAtRestReport report;
    tx.exec(kLock);
    for (const auto& row : tx.exec(kEnrolled)) {
      const auto id = row[0].as<std::int64_t>();
      const auto stored = row[1].as<std::string>();
      const std::string ad = totp_associated_data(id);
      std::string secret;
      if (!SecretBox::is_sealed(stored)) {
        secret = stored;
      } else {
        if (scope == ResealScope::kPlaintextOnly || SecretBox::key_id_of(stored) == current)
          continue;
        Opened o = box.open(stored, ad);
        if (!o.ok()) {
          throw Error(ErrorCode::kUnavailable, "a TOTP secret cannot be re-encrypted",
                      "the TOTP secret of user id " + std::to_string(id) + " (key id '" + o.key_id +
                          "') cannot be opened: " + std::string(to_string(o.error)) +
                          "; keep that key in auth.totp_encryption_keys until rotation is done");
        }
        secret = std::move(o.plaintext);
      }
      const bool was_plain = !SecretBox::is_sealed(stored);
      if (!tx.exec(kReplace, id, box.seal(secret, ad), stored).empty())
        ++(was_plain ? report.sealed : report.resealed);
    }
    return report;
  });
}

TotpAtRestState totp_at_rest_state(pg::Pool& pool) {
  return pg::transact(pool, [&](pg::Tx& tx) {
    auto r = tx.exec(kState);
    TotpAtRestState s;
    s.plaintext = r[0][0].as<std::int64_t>();
    const auto ids = r[0][1].as<std::string>();
    for (std::size_t start = 0; start < ids.size();) {
      auto comma = ids.find(',', start);
      if (comma == std::string::npos)
        comma = ids.size();
      s.key_ids.push_back(ids.substr(start, comma - start));
      start = comma + 1;
    }
    return s;
  });
}

}  // namespace hareyaka::auth
