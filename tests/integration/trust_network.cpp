#include "tests/integration/trust_network.hpp"

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "common/assertion.hpp"
#include "hpd/time.hpp"
#include "portal/auth/totp.hpp"
#include "tests/support/dev_pki.hpp"
#include "tests/support/pg_cluster.hpp"

namespace hareyaka::testing {

using nlohmann::json;

json body_of(const http::ClientResponse& r) {
  try {
    return r.body.empty() ? json(nullptr) : json::parse(r.body);
  } catch (const json::exception&) {
    return nullptr;
  }
}

Browser::Browser(int port, const std::string& cert, const std::string& key) : port_(port) {
  http::ClientSettings s;
  s.tls.ca_file = dev_pki().ca();
  s.tls.cert_file = cert;
  s.tls.key_file = key;
  client_ = std::make_unique<http::BlockingHttpClient>(s);
}

http::ClientResponse Browser::call(const std::string& method, const std::string& path,
                                   const json& body, bool with_csrf) {
  http::ClientRequest r{.method = method,
                        .url = "https://127.0.0.1:" + std::to_string(port_) + path};
  if (!cookie_.empty())
    r.headers["Cookie"] = cookie_;
  if (with_csrf && !csrf_.empty() && method != "GET")
    r.headers["X-CSRF-Token"] = csrf_;
  if (!body.is_null()) {
    r.body = body.dump();
    r.headers["Content-Type"] = "application/json";
  }
  return client_->request(r);
}

http::ClientResponse Browser::send(const std::string& method, const std::string& path,
                                   std::string body, const std::string& content_type) {
  http::ClientRequest r{.method = method,
                        .url = "https://127.0.0.1:" + std::to_string(port_) + path};
  if (!cookie_.empty())
    r.headers["Cookie"] = cookie_;
  if (!csrf_.empty())
    r.headers["X-CSRF-Token"] = csrf_;
  r.body = std::move(body);
  r.headers["Content-Type"] = content_type;
  return client_->request(r);
}

void Browser::keep_session(const http::ClientResponse& r) {
  if (r.status != 200)
    return;
  auto it = r.headers.find("Set-Cookie");
  if (it != r.headers.end())
    cookie_ = it->second.substr(0, it->second.find(';'));
  const json b = body_of(r);
  if (b.is_object() && b.contains("csrf_token"))
    csrf_ = b["csrf_token"].get<std::string>();
}

http::ClientResponse Browser::login(const std::string& login_id, const std::string& password,
                                    const std::string& totp_secret, std::int64_t step_offset) {
  auto code = [&](const std::string& secret) {
    return auth::totp_code(*auth::base32_decode(secret),
                           auth::totp_step(hpd::Clock::now()) + step_offset);
  };
  json body{{"login_id", login_id}, {"password", password}};
  if (!totp_secret.empty())
    body["totp"] = code(totp_secret);
  auto r = call("POST", "/api/v1/session", body);
  const json b = body_of(r);
  if (r.status == 200 && b.value("enrolment_required", false) && !totp_secret.empty()) {
    // Enrolment asked although a secret was given: the caller's secret is stale.
    return r;
  }
  keep_session(r);
  return r;
}

http::ClientResponse Browser::login_hpki() {
  auto r = call("POST", "/api/v1/session/hpki", nullptr, false);
  keep_session(r);
  return r;
}

namespace {

std::string sha256_of_cert(const std::string& pem) {
  auto out = run_checked(
      {"sh", "-c",
       "openssl x509 -in '" + pem + "' -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1"});
  while (!out.empty() && (out.back() == '\n' || out.back() == ' '))
    out.pop_back();
  return out;
}

json listener(const std::string& node, const std::string& client_auth, const std::string& ca) {
  return {{"address", "127.0.0.1"},
          {"port", 0},
          {"cert_file", dev_pki().cert(node)},
          {"key_file", dev_pki().key(node)},
          {"client_auth", client_auth},
          {"client_ca_file", ca}};
}

}  // namespace

json TrustNetwork::make_portal_config(int session_idle_s) const {
  return {{"log", {{"format", "json"}}},
          {"runtime", {{"io_threads", 2}, {"worker_threads", 6}}},
          {"assertion_signing_key", dev_pki().dir + "/assertion.key"},
          // The operators' monitoring scrapes /metrics with the "client" certificate.
          {"metrics_readers", {sha256_of_cert(dev_pki().cert("client"))}},
          {"database", {{"conninfo", db}, {"pool_size", 10}}},
          {"listeners",
           {{"web", listener("portal", "request", hpki + "/ca.pem")},
            {"nodes", listener("portal", "require", dev_pki().ca())}}},
          {"auth",
           {{"session_idle_s", session_idle_s},
            {"max_failures", 3},
            {"lock_s", 600},
            {"fast_password_hashing_for_tests", true},
            {"hpki_ca_files", {hpki + "/ca.pem"}},
            {"hpki_crl_files", {hpki + "/ca.crl"}}}},
          {"viewer", {{"gateway_deadline_ms", 10000}}},
          // Shared by every portal of the fixture, as replicas share it in production.
          {"care", {{"attachments_dir", tmp.path() + "/care-attachments"}}},
          {"client_tls",
           {{"ca_file", dev_pki().ca()},
            {"cert_file", dev_pki().cert("portal")},
            {"key_file", dev_pki().key("portal")}}}};
}

TrustNetwork& TrustNetwork::get() {
  static TrustNetwork n;
  return n;
}

TrustNetwork::TrustNetwork() {
  db = fresh_database();
  hpki = tmp.path() + "/hpki";
  run_checked({source_dir() + "/deploy/dev-hpki", hpki});
  gateway_sha256 = sha256_of_cert(dev_pki().cert("gateway-a"));

  // A small hospital: a few patients with many visits, so every category has data.
  const std::string storage = tmp.path() + "/ssmix2";
  run_checked({binary_path("gateway/hareyaka-ssmix2-gen"), "--out", storage, "--extended",
               tmp.path() + "/extended", "--patients", "4", "--visits", "14", "--seed", "5"});
  json gw{{"facility_oid", kHospitalOid},
          {"assertion_public_key", dev_pki().dir + "/assertion.pub"},
          {"node_readers", {sha256_of_cert(dev_pki().cert("portal"))}},
          {"listener", listener("gateway-a", "require", dev_pki().ca())},
          {"storage",
           {{"ssmix2_root", storage},
            {"extended_root", tmp.path() + "/extended"},
            {"state_dir", tmp.path() + "/gw-state"}}}};
  gateway = std::make_unique<Daemon>("gateway/hareyaka-gateway", gw, "gateway");
  http::ClientSettings cs;
  cs.tls = {.ca_file = dev_pki().ca(),
            .cert_file = dev_pki().cert("portal"),
            .key_file = dev_pki().key("portal")};
  gw_client_ = std::make_unique<http::BlockingHttpClient>(cs);
  if (!poll_until(
          [&] {
            return gw_client_->request({.url = gateway->url("nodes", "/readyz")}).status == 200;
          },
          std::chrono::seconds(60))) {
    throw std::runtime_error("gateway not ready:\n" + gateway->log());
  }

  portal_config = make_portal_config(1800);
  // The first administrator, as an operator makes one.
  const std::string cfg = tmp.path() + "/portal-bootstrap.json";
  std::ofstream(cfg) << portal_config.dump();
  const std::string seed = tmp.path() + "/seed.json";
  std::ofstream(seed) << json{{"facilities",
                               {{{"oid", kSecretariatOid},
                                 {"name_kanji", "晴れやかネット事務局"},
                                 {"kind", "hospital"},
                                 {"discloses", false},
                                 {"views", true}}}},
                              {"users",
                               {{{"login_id", kAdminLogin},
                                 {"display_name", "事務局 管理者"},
                                 {"facility_oid", kSecretariatOid},
                                 {"profession", "secretariat_admin"},
                                 {"password", kPassword},
                                 {"totp_secret", kAdminTotp}}}}}
                             .dump();
  run_checked(
      {binary_path("portal/hareyaka-portal"), "bootstrap", "--config", cfg, "--file", seed});
  portal = std::make_unique<Daemon>("portal/hareyaka-portal", portal_config, "portal");
  pool = std::make_unique<pg::Pool>(pg::PoolSettings{.conninfo = db, .size = 4});
  admin = std::make_unique<Browser>(portal->port("web"));
  auto r = admin->login(kAdminLogin, kPassword, kAdminTotp);
  if (r.status != 200)
    throw std::runtime_error("admin login failed: " + r.body + "\n" + portal->log());
}

json TrustNetwork::gateway_get(const std::string& local_id, const std::string& category) {
  static AssertionSigner signer(dev_pki().dir + "/assertion.key",
                                testing::cert_fingerprint(dev_pki().cert("portal")));
  const auto now = unix_now();
  auto token = signer.sign({.user = "trust-test",
                            .profession = "doctor",
                            .facility_oid = kSecretariatOid,
                            .audience = kHospitalOid,
                            .authority = kHospitalDomain,
                            .local_id = local_id,
                            .category = category,
                            .request_id = "trust-oracle",
                            .issued_at = now - 1,
                            .expires_at = now + 60});
  std::string path = "/gw/v1/patients/" + local_id;
  if (category != "demographics")
    path += "/" + category + "?limit=1";
  http::ClientRequest r{.url = gateway->url("nodes", path)};
  r.headers[kAssertionHeader] = token;
  auto res = gw_client_->request(r);
  if (res.status != 200)
    return nullptr;
  return body_of(res);
}

std::string add_viewing_facility(int code, const std::string& kind, const std::string& name) {
  auto r = net().admin->call("POST", "/api/v1/admin/facilities",
                             {{"prefecture", "33"},
                              {"code", std::to_string(code)},
                              {"name", name},
                              {"name_kana", "テスト"},
                              {"kind", kind},
                              {"municipality", "332011"},
                              {"discloses", false},
                              {"views", true}});
  if (r.status != 201)
    throw std::runtime_error("facility create: " + r.body);
  return body_of(r)["oid"].get<std::string>();
}

void add_user(const std::string& login, const std::string& facility, const std::string& prof) {
  auto r = net().admin->call("POST", "/api/v1/admin/users",
                             {{"login_id", login},
                              {"display_name", "利用者 " + login},
                              {"facility_oid", facility},
                              {"profession", prof},
                              {"password", kPassword}});
  if (r.status != 201)
    throw std::runtime_error("user create: " + r.body);
}

std::string enrol(Browser& b, const std::string& login) {
  auto first = b.call("POST", "/api/v1/session", {{"login_id", login}, {"password", kPassword}});
  const std::string secret = body_of(first).value("secret", "");
  if (secret.empty())
    throw std::runtime_error("no enrolment for " + login + ": " + first.body);
  auto r = b.call("POST", "/api/v1/session",
                  {{"login_id", login},
                   {"password", kPassword},
                   {"enrolment_secret", secret},
                   {"totp", auth::totp_code(*auth::base32_decode(secret),
                                            auth::totp_step(hpd::Clock::now()))}});
  if (r.status != 200)
    throw std::runtime_error("enrolment of " + login + ": " + r.body);
  b.adopt(r);
  return secret;
}

const std::string& clinic() {
  static const std::string oid = add_viewing_facility(2000001, "clinic", "晴れやかクリニック");
  return oid;
}

std::string url_encode(const std::string& s) {
  return http::percent_encode(s);
}

}  // namespace hareyaka::testing
