#include "portal/auth/totp_offers.hpp"

namespace hareyaka::auth {
namespace {

constexpr pg::Statement kUpsert{
    "auth_totp_offer_upsert",
    "INSERT INTO totp_offers (user_id, secret, expires_at) VALUES ($1, $2, hy_ts($3)) "
    "ON CONFLICT (user_id) DO UPDATE SET secret = EXCLUDED.secret, expires_at = "
    "EXCLUDED.expires_at"};
constexpr pg::Statement kHeld{
    "auth_totp_offer_held",
    "SELECT secret FROM totp_offers WHERE user_id = $1 AND expires_at > hy_ts($2)"};
constexpr pg::Statement kWithdraw{"auth_totp_offer_withdraw",
                                  "DELETE FROM totp_offers WHERE user_id = $1"};

// Not the users.totp_secret associated data: an offer's ciphertext copied into that column
// does not open there.
std::string associated_data(std::int64_t user_id) {
  return "hareyaka.totp_offers.secret:" + std::to_string(user_id);
}

}  // namespace

void TotpOffers::offer(std::int64_t user_id, std::string_view secret_base32, hpd::TimePoint now) {
  const std::string stored = box_.has_keys() ? box_.seal(secret_base32, associated_data(user_id))
                                             : std::string(secret_base32);
  pg::transact(pool_,
               [&](pg::Tx& tx) { tx.exec(kUpsert, user_id, stored, hpd::to_us(now + ttl_)); });
}

std::optional<std::string> TotpOffers::held(std::int64_t user_id, hpd::TimePoint now) const {
  auto stored = pg::transact(pool_, [&](pg::Tx& tx) -> std::optional<std::string> {
    auto r = tx.exec(kHeld, user_id, hpd::to_us(now));
    if (r.empty())
      return std::nullopt;
    return r[0][0].as<std::string>();
  });
  if (!stored || !SecretBox::is_sealed(*stored))
    return stored;
  Opened o = box_.open(*stored, associated_data(user_id));
  if (!o.ok())
    return std::nullopt;
  return std::move(o.plaintext);
}

void TotpOffers::withdraw(std::int64_t user_id) {
  pg::transact(pool_, [&](pg::Tx& tx) { tx.exec(kWithdraw, user_id); });
}

}  // namespace hareyaka::auth
