// The network the trust tests run against, built once per test binary: a private PostgreSQL
// database, the dev HPKI (deploy/dev-hpki), one real gateway over a generated SS-MIX2
// storage, and one real portal whose web listener asks for (HPKI) client certificates. The
// first secretariat administrator comes from `hareyaka-portal bootstrap`; everything else
// is registered through the admin API or, where the set-up is not what is tested, directly
// in the stores.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "common/http_client.hpp"
#include "common/pg.hpp"
#include "tests/support/daemon.hpp"
#include "tests/support/process.hpp"

namespace hareyaka::testing {

inline constexpr const char* kHospitalOid = "1.2.392.200284.33.1310001";
inline constexpr const char* kHospitalDomain = "1.2.392.200284.33.1310001.1";
inline constexpr const char* kSecretariatOid = "1.2.392.200284.33.9000001";
inline constexpr const char* kAdminLogin = "secretariat-admin";
inline constexpr const char* kAdminTotp = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
inline constexpr const char* kPassword = "Hareyaka#Trust2026";

// A browser: the session cookie and CSRF token of the last login, over one TLS client.
class Browser {
 public:
  explicit Browser(int port, const std::string& cert = "", const std::string& key = "");
  http::ClientResponse call(const std::string& method, const std::string& path,
                            const nlohmann::json& body = nullptr, bool with_csrf = true);
  // POST /api/v1/session with a code computed from the secret (first-login enrolment when
  // the answer asks for it). Keeps the cookie and CSRF token of a successful login.
  // A body sent as it is (e.g. a CSV file), with the session and CSRF token.
  http::ClientResponse send(const std::string& method, const std::string& path, std::string body,
                            const std::string& content_type);
  http::ClientResponse login(const std::string& login_id, const std::string& password,
                             const std::string& totp_secret, std::int64_t step_offset = 0);
  http::ClientResponse login_hpki();
  // Keeps the cookie and CSRF token of a successful login response.
  void adopt(const http::ClientResponse& r) { keep_session(r); }
  void forget() { cookie_.clear(), csrf_.clear(); }
  const std::string& csrf() const { return csrf_; }
  void set_csrf(std::string t) { csrf_ = std::move(t); }

 private:
  void keep_session(const http::ClientResponse& r);
  int port_;
  std::unique_ptr<http::BlockingHttpClient> client_;
  std::string cookie_, csrf_;
};

struct TrustNetwork {
  static TrustNetwork& get();

  TempDir tmp;
  std::string db;    // libpq conninfo of the portal's database (the test is its superuser)
  std::string hpki;  // deploy/dev-hpki output
  std::string gateway_sha256;
  std::unique_ptr<pg::Pool> pool;
  std::unique_ptr<Daemon> gateway;
  std::unique_ptr<Daemon> portal;
  nlohmann::json portal_config;
  std::unique_ptr<Browser> admin;  // logged in as kAdminLogin

  nlohmann::json make_portal_config(int session_idle_s) const;
  // GET on the gateway's data API as the portal, with a signed assertion.
  nlohmann::json gateway_get(const std::string& local_id, const std::string& category);

 private:
  TrustNetwork();
  std::unique_ptr<http::BlockingHttpClient> gw_client_;
};

// The body of a response as JSON (null when empty or not JSON).
nlohmann::json body_of(const http::ClientResponse& r);

inline TrustNetwork& net() {
  return TrustNetwork::get();
}
// A viewing facility registered through the admin API; returns its OID.
std::string add_viewing_facility(int code, const std::string& kind, const std::string& name);
// A user registered through the admin API, with the password kPassword.
void add_user(const std::string& login, const std::string& facility, const std::string& prof);
// First login of a new user: enrolment of the one-time code. Leaves `b` logged in and
// returns the secret (its current step is used; the next login needs step_offset 1).
std::string enrol(Browser& b, const std::string& login);
// The clinic 2000001 (晴れやかクリニック), registered on first use.
const std::string& clinic();
// Percent-encoding for a query parameter.
std::string url_encode(const std::string& s);

}  // namespace hareyaka::testing
