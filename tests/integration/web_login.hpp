// Logging a test user in on a portal's web listener: password plus the current one-time
// code of its TOTP secret. A code is good once (replay guard), so tests keep the session.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "common/http_client.hpp"
#include "hpd/time.hpp"
#include "portal/auth/totp.hpp"

namespace hareyaka::testing {

struct WebLogin {
  std::string cookie;  // "name=value" for a Cookie header
  std::string csrf;    // the token for state-changing requests
};

// POSTs /api/v1/session to `session_url`; a refused login is a test failure (empty cookie).
inline WebLogin web_login(http::BlockingHttpClient& client, const std::string& session_url,
                          const std::string& login_id, const std::string& password,
                          const std::string& totp_secret) {
  const auto key = *auth::base32_decode(totp_secret);
  auto r = client.request(
      {.method = "POST",
       .url = session_url,
       .headers = {{"Content-Type", "application/json"}},
       .body = nlohmann::json{{"login_id", login_id},
                              {"password", password},
                              {"totp", auth::totp_code(key, auth::totp_step(hpd::Clock::now()))}}
                   .dump()});
  EXPECT_EQ(r.status, 200) << login_id << ": " << r.body;
  WebLogin out;
  const std::string set = r.headers["Set-Cookie"];
  out.cookie = set.substr(0, set.find(';'));
  const auto body = nlohmann::json::parse(r.body, nullptr, false);
  if (body.is_object())
    out.csrf = body.value("csrf_token", "");
  return out;
}

}  // namespace hareyaka::testing
