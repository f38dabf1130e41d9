// The TOTP secrets the portal has offered for first-login enrolment, held server-side (table
// totp_offers) until the first code from the app completes the enrolment. A client never
// supplies the secret: completing an enrolment reads it from here, so a secret the client
// chose itself (and so knows without the app) cannot be enrolled. One offer per user; a new
// offer replaces the old one (the app must then scan the new code), an offer lasts `ttl`.
// The offer is bound to the user the password identified: before the second factor there is
// no session, and both steps need the password.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/pg.hpp"
#include "hpd/time.hpp"
#include "common/secret_box.hpp"

namespace hareyaka::auth {

class TotpOffers {
 public:
  // `box` seals the held secrets when it has keys (plain base32 otherwise, as for
  // users.totp_secret); it must outlive this object.
  TotpOffers(pg::Pool& pool, const SecretBox& box,
             std::chrono::seconds ttl = std::chrono::minutes(10))
      : pool_(pool), box_(box), ttl_(ttl) {}

  void offer(std::int64_t user_id, std::string_view secret_base32, hpd::TimePoint now);
  // The live offer's secret. std::nullopt when there is none, it expired, or it was sealed
  // under a key this portal no longer holds (the user is simply offered a new secret).
  std::optional<std::string> held(std::int64_t user_id, hpd::TimePoint now) const;
  void withdraw(std::int64_t user_id);

 private:
  pg::Pool& pool_;
  const SecretBox& box_;
  std::chrono::seconds ttl_;
};

}  // namespace hareyaka::auth
