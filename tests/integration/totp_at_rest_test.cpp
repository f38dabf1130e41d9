// TOTP secrets at rest through the real portal and PostgreSQL: a plaintext secret from
// before (bootstrap without keys, and one written straight into the table) is encrypted at
// start and still logs in; a first-login enrolment stores no base32 in the database; the
// portal restarted with a rotated key list, `hareyaka-portal rotate-totp-key`, and the old
// key removed still logs everyone in; a portal lacking the key in use refuses to start.
#include "portal/auth/totp_at_rest.hpp"

#include <gtest/gtest.h>
#include <openssl/rand.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "common/pg.hpp"
#include "hpd/time.hpp"
#include "common/secret_box.hpp"
#include "portal/auth/totp.hpp"
#include "proto/encoding/base64.hpp"
#include "tests/integration/trust_network.hpp"
#include "tests/support/daemon.hpp"
#include "tests/support/dev_pki.hpp"
#include "tests/support/pg_cluster.hpp"

namespace hareyaka::testing {
namespace {

using nlohmann::json;

constexpr const char* kFacility = "1.2.392.200284.33.9000009";
constexpr const char* kPass = "Totp-At-Rest#2026";
constexpr const char* kAdminSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
constexpr const char* kDirectSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

constexpr pg::Statement kSecretOf{"t_secret_of",
                                  "SELECT totp_secret FROM users WHERE login_id = $1"};
constexpr pg::Statement kPutSecret{"t_put_secret",
                                   "UPDATE users SET totp_secret = $2 WHERE login_id = $1"};
// The replay guard is not what is tested: each login below may reuse the current step.
constexpr pg::Statement kForgetSteps{"t_forget_steps", "UPDATE users SET totp_last_step = NULL"};

class TotpAtRestIntegration : public ::testing::Test {
 protected:
  TotpAtRestIntegration() {
    pool = std::make_unique<pg::Pool>(pg::PoolSettings{.conninfo = db, .size = 2});
  }

  std::string new_key_file(const std::string& name) {
    unsigned char raw[32];
    EXPECT_EQ(RAND_bytes(raw, sizeof raw), 1);
    const std::string path = tmp.path() + "/" + name + ".key";
    std::ofstream(path) << base64_encode(std::string(reinterpret_cast<char*>(raw), sizeof raw))
                        << "\n";
    return path;
  }

  static std::string read_key(const std::string& path) {
    std::string text = read_file(path);
    while (!text.empty() && text.back() == '\n')
      text.pop_back();
    return *base64_decode(text);
  }

  json config(const std::vector<std::pair<std::string, std::string>>& keys) const {
    auto listener = [](const std::string& auth) {
      json l{{"address", "127.0.0.1"},
             {"port", 0},
             {"cert_file", dev_pki().cert("portal")},
             {"key_file", dev_pki().key("portal")},
             {"client_auth", auth}};
      if (auth != "none")
        l["client_ca_file"] = dev_pki().ca();
      return l;
    };
    json list = json::array();
    for (const auto& [id, file] : keys)
      list.push_back({{"id", id}, {"key", {{"file", file}}}});
    json auth{{"fast_password_hashing_for_tests", true}, {"max_failures", 50}};
    if (!keys.empty())
      auth["totp_encryption_keys"] = list;
    return {{"log", {{"format", "json"}}},
            {"assertion_signing_key", dev_pki().dir + "/assertion.key"},
            {"database", {{"conninfo", db}, {"pool_size", 4}}},
            {"listeners", {{"web", listener("none")}, {"nodes", listener("require")}}},
            {"auth", auth}};
  }

  std::string write_config(const json& c, const std::string& name) {
    const std::string path = tmp.path() + "/" + name + ".json";
    std::ofstream(path) << c.dump();
    return path;
  }

  std::string secret_of(const std::string& login) {
    return pg::transact(
        *pool, [&](pg::Tx& tx) { return tx.exec(kSecretOf, login)[0][0].as<std::string>(); });
  }

  int login(Daemon& portal, const std::string& user, const std::string& secret) {
    pg::transact(*pool, [&](pg::Tx& tx) { tx.exec(kForgetSteps); });
    Browser b(portal.port("web"));
    auto r = b.login(user, kPass, secret);
    if (r.status != 200 || body_of(r).value("enrolment_required", false)) {
      ADD_FAILURE() << user << ": " << r.status << " " << r.body << "\n" << portal.log();
      return r.status == 200 ? 0 : r.status;
    }
    return 200;
  }

  TempDir tmp;
  std::string db = fresh_database();
  std::unique_ptr<pg::Pool> pool;
};

TEST_F(TotpAtRestIntegration, EncryptedAtStartEnrolledSealedRotatedAndStillLoggingIn) {
  // Before: a portal without keys, as every installation before this change.
  const std::string plain_cfg = write_config(config({}), "plain");
  const std::string seed = tmp.path() + "/seed.json";
  auto user = [](const std::string& login, const std::string& secret) {
    json u{{"login_id", login},
           {"display_name", login},
           {"facility_oid", kFacility},
           {"profession", "secretariat_admin"},
           {"password", kPass}};
    if (!secret.empty())
      u["totp_secret"] = secret;
    return u;
  };
  std::ofstream(seed)
      << json{{"facilities",
               {{{"oid", kFacility},
                 {"name_kanji", "事務局"},
                 {"kind", "hospital"},
                 {"discloses", false},
                 {"views", true}}}},
              {"users", {user("admin", kAdminSecret), user("direct", ""), user("newcomer", "")}}}
             .dump();
  run_checked(
      {binary_path("portal/hareyaka-portal"), "bootstrap", "--config", plain_cfg, "--file", seed});
  pg::transact(*pool, [&](pg::Tx& tx) { tx.exec(kPutSecret, "direct", kDirectSecret); });
  EXPECT_EQ(secret_of("admin"), kAdminSecret);
  {
    // Without keys (development): the portal starts, warns, and keeps plain base32.
    Daemon portal("portal/hareyaka-portal", config({}), "portal-plain");
    EXPECT_EQ(login(portal, "admin", kAdminSecret), 200);
    EXPECT_NE(portal.log().find("TOTP secrets are stored unencrypted"), std::string::npos);
    EXPECT_EQ(secret_of("direct"), kDirectSecret);
  }

  const std::string k1 = new_key_file("k1"), k2 = new_key_file("k2");
  std::string enrolled;
  {
    Daemon portal("portal/hareyaka-portal", config({{"k1", k1}}), "portal-k1");
    EXPECT_TRUE(secret_of("admin").starts_with("v1:k1:"));
    EXPECT_TRUE(secret_of("direct").starts_with("v1:k1:"));
    EXPECT_EQ(secret_of("direct").find(kDirectSecret), std::string::npos);
    EXPECT_EQ(login(portal, "admin", kAdminSecret), 200);
    EXPECT_EQ(login(portal, "direct", kDirectSecret), 200);

    // First-login enrolment over HTTP.
    Browser b(portal.port("web"));
    auto first = b.call("POST", "/api/v1/session", {{"login_id", "newcomer"}, {"password", kPass}});
    ASSERT_EQ(first.status, 200) << first.body;
    enrolled = body_of(first).value("secret", "");
    ASSERT_FALSE(enrolled.empty()) << first.body;
    const auto code =
        auth::totp_code(*auth::base32_decode(enrolled), auth::totp_step(hpd::Clock::now()));
    auto done = b.call("POST", "/api/v1/session",
                       {{"login_id", "newcomer"},
                        {"password", kPass},
                        {"totp", code},
                        {"enrolment_secret", enrolled}});
    ASSERT_EQ(done.status, 200) << done.body;
    const std::string stored = secret_of("newcomer");
    EXPECT_TRUE(stored.starts_with("v1:k1:")) << stored;
    EXPECT_EQ(stored.find(enrolled), std::string::npos);
    EXPECT_FALSE(auth::base32_decode(stored).has_value()) << "the column holds base32";
    EXPECT_EQ(login(portal, "newcomer", enrolled), 200);
    EXPECT_NE(portal.log().find("TOTP secrets encrypted at rest"), std::string::npos);
    EXPECT_EQ(portal.log().find(kAdminSecret), std::string::npos);
    EXPECT_EQ(portal.log().find(enrolled), std::string::npos);
  }

  // Rotation step 1: the new key first, the old one kept.
  const json rotated = config({{"k2", k2}, {"k1", k1}});
  {
    Daemon portal("portal/hareyaka-portal", rotated, "portal-k2k1");
    for (auto [login_id, secret] : {std::pair<std::string, std::string>{"admin", kAdminSecret},
                                    {"direct", kDirectSecret},
                                    {"newcomer", enrolled}}) {
      EXPECT_EQ(login(portal, login_id, secret), 200);
    }
    EXPECT_TRUE(secret_of("admin").starts_with("v1:k1:")) << "a start does not re-encrypt";
  }
  // Step 2: re-encrypt everything under k2; step 3: drop k1.
  auto out = run_checked({binary_path("portal/hareyaka-portal"), "rotate-totp-key", "--config",
                          write_config(rotated, "rotated")});
  EXPECT_NE(out.find("3 secret(s) re-encrypted"), std::string::npos) << out;
  for (const char* login_id : {"admin", "direct", "newcomer"})
    EXPECT_TRUE(secret_of(login_id).starts_with("v1:k2:")) << login_id;
  {
    Daemon portal("portal/hareyaka-portal", config({{"k2", k2}}), "portal-k2");
    EXPECT_EQ(login(portal, "admin", kAdminSecret), 200);
    EXPECT_EQ(login(portal, "newcomer", enrolled), 200);
    // A row written under a key this portal lacks (another portal's list): the login fails
    // as unavailable (503) and the log names the key id, not the secret.
    SecretBox foreign({BoxKey{"k9", std::string(32, '9')}});
    const auto direct_id = pg::transact(*pool, [&](pg::Tx& tx) {
      return tx.exec_trusted("SELECT id FROM users WHERE login_id = 'direct'")[0][0]
          .as<std::int64_t>();
    });
    pg::transact(*pool, [&](pg::Tx& tx) {
      tx.exec(kPutSecret, "direct",
              foreign.seal(kDirectSecret, auth::totp_associated_data(direct_id)));
    });
    Browser b(portal.port("web"));
    auto r = b.login("direct", kPass, kDirectSecret);
    EXPECT_EQ(r.status, 503) << r.body;
    EXPECT_EQ(r.body.find("k9"), std::string::npos) << r.body;
    EXPECT_NE(portal.log().find("key id 'k9'"), std::string::npos) << portal.log();
    EXPECT_EQ(portal.log().find(kDirectSecret), std::string::npos);
    // The failed login is audited as denied, with the reason.
    const auto reason = pg::transact(*pool, [&](pg::Tx& tx) {
      auto rows = tx.exec_trusted(
          "SELECT reason FROM audit_log WHERE actor_user = 'direct' AND event_type = 'login' "
          "AND outcome = 'denied' ORDER BY seq DESC LIMIT 1");
      return rows.empty() ? std::string() : rows[0][0].as<std::string>();
    });
    EXPECT_NE(reason.find("unavailable"), std::string::npos) << "'" << reason << "'";
    pg::transact(*pool, [&](pg::Tx& tx) {
      tx.exec(kPutSecret, "direct",
              SecretBox({BoxKey{"k2", read_key(k2)}})
                  .seal(kDirectSecret, auth::totp_associated_data(direct_id)));
    });
    EXPECT_EQ(login(portal, "direct", kDirectSecret), 200);
  }

  // A portal that lacks the key in use refuses to start, naming the key id.
  auto refused = run({binary_path("portal/hareyaka-portal"), "--config",
                      write_config(config({{"k3", new_key_file("k3")}}), "wrong")});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.output.find("'k2'"), std::string::npos) << refused.output;
  // And so does one without keys at all (its users could not log in).
  auto none = run({binary_path("portal/hareyaka-portal"), "--config", plain_cfg});
  EXPECT_NE(none.exit_code, 0);
  EXPECT_NE(none.output.find("'k2'"), std::string::npos) << none.output;
}

}  // namespace
}  // namespace hareyaka::testing
