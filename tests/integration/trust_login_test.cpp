// Portal trust through the real HTTP API of a real portal (and a real gateway) on a real
// PostgreSQL: password + one-time code login with first-login enrolment, lockout, CSRF,
// refusal of non-administrators, session expiry, logout; HPKI card login over TLS.
#include <gtest/gtest.h>

#include <map>
#include <pqxx/pqxx>

#include "portal/auth/totp.hpp"
#include "tests/integration/trust_network.hpp"

namespace hareyaka {
namespace {

using nlohmann::json;
using testing::add_user;
using testing::body_of;
using testing::Browser;
using testing::clinic;
using testing::enrol;
using testing::kPassword;
using testing::net;

// ---- password + one-time code -------------------------------------------------------

TEST(TrustLogin, FirstLoginEnrolsTheOneTimeCodeThenLogsIn) {
  add_user("dr-enrol", clinic(), "doctor");
  Browser b(net().portal->port("web"));
  auto first =
      b.call("POST", "/api/v1/session", {{"login_id", "dr-enrol"}, {"password", kPassword}});
  ASSERT_EQ(first.status, 200) << first.body;
  json e = body_of(first);
  ASSERT_TRUE(e.value("enrolment_required", false)) << first.body;
  const std::string secret = e["secret"];
  EXPECT_EQ(e["otpauth_uri"].get<std::string>().rfind("otpauth://totp/", 0), 0u);
  // A wrong code does not enrol.
  auto wrong = b.call("POST", "/api/v1/session",
                      {{"login_id", "dr-enrol"},
                       {"password", kPassword},
                       {"enrolment_secret", secret},
                       {"totp", "000000"}});
  EXPECT_EQ(wrong.status, 401) << wrong.body;
  const std::string code =
      auth::totp_code(*auth::base32_decode(secret), auth::totp_step(hpd::Clock::now()));
  auto second = b.call("POST", "/api/v1/session",
                       {{"login_id", "dr-enrol"},
                        {"password", kPassword},
                        {"enrolment_secret", secret},
                        {"totp", code}});
  ASSERT_EQ(second.status, 200) << second.body;
  json s = body_of(second);
  EXPECT_EQ(s["user"]["profession"], "doctor");
  EXPECT_EQ(s["user"]["facility"]["oid"], clinic());
  EXPECT_EQ(s["user"]["roles"], json::array({"viewer"}));
  EXPECT_FALSE(s["csrf_token"].get<std::string>().empty());
  // Enrolled: the next login asks for a code from that secret and accepts it (next step,
  // because each step is accepted once).
  Browser again(net().portal->port("web"));
  EXPECT_EQ(again.login("dr-enrol", kPassword, secret, 1).status, 200);
  auto no_code =
      again.call("POST", "/api/v1/session", {{"login_id", "dr-enrol"}, {"password", kPassword}});
  EXPECT_EQ(no_code.status, 401);
  EXPECT_EQ(body_of(no_code)["error"], "totp_required");
}

// The latest denied login audit records of a user, newest first.
json denied_logins(const std::string& login) {
  auto r =
      net().admin->call("GET", "/api/v1/admin/audit?user=" + login + "&event=login&outcome=denied");
  EXPECT_EQ(r.status, 200) << r.body;
  return body_of(r)["items"];
}

TEST(TrustLogin, EnrolmentTakesOnlyTheSecretThePortalOffered) {
  add_user("dr-chooser", clinic(), "doctor");
  Browser b(net().portal->port("web"));
  auto first =
      b.call("POST", "/api/v1/session", {{"login_id", "dr-chooser"}, {"password", kPassword}});
  ASSERT_TRUE(body_of(first).value("enrolment_required", false)) << first.body;
  const std::string offered = body_of(first)["secret"];
  // A client that sends its own secret and a valid code for it is refused: it would hold
  // the second factor without the app.
  const std::string chosen = auth::generate_totp_secret();
  auto code_of = [](const std::string& secret) {
    return auth::totp_code(*auth::base32_decode(secret), auth::totp_step(hpd::Clock::now()));
  };
  auto own = b.call("POST", "/api/v1/session",
                    {{"login_id", "dr-chooser"},
                     {"password", kPassword},
                     {"enrolment_secret", chosen},
                     {"totp", code_of(chosen)}});
  EXPECT_EQ(own.status, 401) << own.body;
  EXPECT_EQ(own.headers.count("Set-Cookie"), 0u);
  EXPECT_EQ(denied_logins("dr-chooser")[0]["reason"], "invalid_second_factor");
  // The offered secret enrols; the client need not send it back.
  auto done =
      b.call("POST", "/api/v1/session",
             {{"login_id", "dr-chooser"}, {"password", kPassword}, {"totp", code_of(offered)}});
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_FALSE(body_of(done).value("enrolment_required", false)) << done.body;
  EXPECT_EQ(Browser(net().portal->port("web")).login("dr-chooser", kPassword, offered, 1).status,
            200);
}

TEST(TrustLogin, ADisabledAccountIsAnsweredLikeAWrongPasswordAndAuditedTruly) {
  add_user("dr-retired", clinic(), "doctor");
  Browser b(net().portal->port("web"));
  const std::string secret = enrol(b, "dr-retired");
  auto wrong = b.call("POST", "/api/v1/session",
                      {{"login_id", "dr-retired"}, {"password", "Wrong-password-1"}});
  ASSERT_EQ(wrong.status, 401) << wrong.body;
  for (const char* status : {"retired", "locked"}) {
    auto put = net().admin->call("PUT", "/api/v1/admin/users/dr-retired", {{"status", status}});
    ASSERT_EQ(put.status, 200) << put.body;
    // The right password and code: the same answer as a wrong password, nothing confirmed.
    auto right = Browser(net().portal->port("web")).login("dr-retired", kPassword, secret, 1);
    EXPECT_EQ(right.status, wrong.status) << status << ": " << right.body;
    json a = body_of(right), w = body_of(wrong);
    for (const char* k : {"error", "message", "reason"})
      EXPECT_EQ(a[k], w[k]) << status << " " << k << ": " << right.body;
    EXPECT_EQ(right.headers.count("Set-Cookie"), 0u);
    // The audit keeps the true reason.
    EXPECT_EQ(denied_logins("dr-retired")[0]["reason"], "account_disabled") << status;
  }
}

TEST(TrustLogin, EveryFailedLoginIsAudited) {
  // A user of a suspended facility: the password and code are right, the login
  // fails after the authenticator (it was not audited).
  const std::string oid = testing::add_viewing_facility(2000555, "clinic", "閲覧しない診療所");
  auto off = net().admin->call("PUT", "/api/v1/admin/facilities/" + oid, {{"status", "suspended"}});
  ASSERT_EQ(off.status, 200) << off.body;
  ASSERT_EQ(body_of(off)["status"], "suspended") << off.body;
  add_user("dr-noview", oid, "doctor");
  Browser b(net().portal->port("web"));
  auto first =
      b.call("POST", "/api/v1/session", {{"login_id", "dr-noview"}, {"password", kPassword}});
  const std::string secret = body_of(first).value("secret", "");
  ASSERT_FALSE(secret.empty()) << first.body;
  auto r = b.call("POST", "/api/v1/session",
                  {{"login_id", "dr-noview"},
                   {"password", kPassword},
                   {"enrolment_secret", secret},
                   {"totp", auth::totp_code(*auth::base32_decode(secret),
                                            auth::totp_step(hpd::Clock::now()))}});
  EXPECT_EQ(r.status, 403) << r.body;
  json denied = denied_logins("dr-noview");
  ASSERT_FALSE(denied.empty());
  EXPECT_NE(denied[0]["reason"].get<std::string>().find("forbidden"), std::string::npos)
      << denied.dump();
}

TEST(TrustLogin, WrongPasswordThenLockoutWithAClearMessageAndAdminReset) {
  add_user("dr-lock", clinic(), "doctor");
  Browser b(net().portal->port("web"));
  auto wrong =
      b.call("POST", "/api/v1/session",
             {{"login_id", "dr-lock"}, {"password", "Wrong-password-1"}, {"totp", "123456"}});
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(body_of(wrong)["error"], "unauthorized");
  auto unknown = b.call("POST", "/api/v1/session",
                        {{"login_id", "nobody-here"}, {"password", kPassword}, {"totp", "123456"}});
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(body_of(unknown)["message"], body_of(wrong)["message"]);  // no id enumeration
  b.call("POST", "/api/v1/session", {{"login_id", "dr-lock"}, {"password", "Wrong-password-2"}});
  auto third = b.call("POST", "/api/v1/session",
                      {{"login_id", "dr-lock"}, {"password", "Wrong-password-3"}});
  ASSERT_EQ(third.status, 423) << third.body;
  json locked = body_of(third);
  EXPECT_EQ(locked["error"], "locked");
  EXPECT_FALSE(locked["locked_until"].get<std::string>().empty());
  EXPECT_NE(locked["message"].get<std::string>().find("locked"), std::string::npos);
  // Even the right password is refused while locked.
  auto right =
      b.call("POST", "/api/v1/session", {{"login_id", "dr-lock"}, {"password", kPassword}});
  EXPECT_EQ(right.status, 423);
  // The secretariat resets: a new password, the lock cleared, a new code enrolment.
  const std::string fresh = "Another#Passw0rd-x";
  auto reset =
      net().admin->call("POST", "/api/v1/admin/users/dr-lock/reset", {{"password", fresh}});
  ASSERT_EQ(reset.status, 200) << reset.body;
  EXPECT_FALSE(body_of(reset)["totp_enrolled"].get<bool>());
  auto weak =
      net().admin->call("POST", "/api/v1/admin/users/dr-lock/reset", {{"password", "short"}});
  EXPECT_EQ(weak.status, 422);
  auto after = b.call("POST", "/api/v1/session", {{"login_id", "dr-lock"}, {"password", fresh}});
  ASSERT_EQ(after.status, 200) << after.body;
  EXPECT_TRUE(body_of(after).value("enrolment_required", false));
  // Each failure is in the audit, as a denied login.
  auto audit =
      net().admin->call("GET", "/api/v1/admin/audit?user=dr-lock&event=login&outcome=denied");
  ASSERT_EQ(audit.status, 200) << audit.body;
  EXPECT_GE(body_of(audit)["items"].size(), 4u);
}

TEST(TrustLogin, StateChangingRequestsNeedTheCsrfToken) {
  Browser& admin = *net().admin;
  json body{{"prefecture", "33"},
            {"code", "2000777"},
            {"name", "CSRF医院"},
            {"kind", "clinic"},
            {"views", true}};
  auto none = admin.call("POST", "/api/v1/admin/facilities", body, false);
  EXPECT_EQ(none.status, 403);
  EXPECT_NE(none.body.find("csrf"), std::string::npos) << none.body;
  const std::string good = admin.csrf();
  admin.set_csrf("forged-token");
  auto forged = admin.call("POST", "/api/v1/admin/facilities", body);
  admin.set_csrf(good);
  EXPECT_EQ(forged.status, 403);
  // Nothing was created by the refused requests.
  EXPECT_EQ(admin.call("GET", "/api/v1/admin/facilities/1.2.392.200284.33.2000777").status, 404);
  EXPECT_EQ(admin.call("POST", "/api/v1/admin/facilities", body).status, 201);
}

TEST(TrustLogin, NonAdministratorsCannotUseTheAdminApi) {
  add_user("dr-notadmin", clinic(), "doctor");
  Browser b(net().portal->port("web"));
  enrol(b, "dr-notadmin");
  auto r = b.call("GET", "/api/v1/admin/facilities");
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(b.call("GET", "/api/v1/admin/audit").status, 403);
  auto refused = body_of(net().admin->call(
      "GET", "/api/v1/admin/audit?event=admin_action&outcome=denied&user=dr-notadmin"));
  ASSERT_EQ(refused["items"].size(), 2u) << refused.dump();
  EXPECT_EQ(refused["items"][0]["reason"], "not_admin");
  EXPECT_EQ(refused["items"][0]["detail"], "GET /api/v1/admin/audit");
  EXPECT_EQ(Browser(net().portal->port("web")).call("GET", "/api/v1/admin/facilities").status, 401);
}

TEST(TrustLogin, SessionEndsAfterIdleTimeoutAndAtLogout) {
  // A second portal replica on the same database, with a one-second idle timeout: the
  // session made on the first portal is known to the second.
  testing::Daemon replica("portal/hareyaka-portal", net().make_portal_config(1), "replica");
  add_user("dr-idle", clinic(), "doctor");
  Browser main_portal(net().portal->port("web"));
  const std::string secret = enrol(main_portal, "dr-idle");
  Browser b(replica.port("web"));
  ASSERT_EQ(b.login("dr-idle", kPassword, secret, 1).status, 200);
  ASSERT_EQ(b.call("GET", "/api/v1/session").status, 200);
  // Wait on the session's own state (its last request older than the timeout), then ask.
  pqxx::connection c(net().db);
  ASSERT_TRUE(testing::poll_until(
      [&] {
        pqxx::work w(c);
        auto r = w.exec(
            "SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE "
            "u.login_id = 'dr-idle' AND s.last_seen_at < now() - interval '1.2 second'");
        return r[0][0].as<int>() >= 2;
      },
      std::chrono::seconds(20)));
  auto expired = b.call("GET", "/api/v1/session");
  EXPECT_EQ(expired.status, 401);
  EXPECT_EQ(body_of(expired)["error"], "unauthorized");

  // Logout (itself needing the CSRF token) ends the session at once.
  ASSERT_EQ(main_portal.call("GET", "/api/v1/session").status, 200);
  EXPECT_EQ(main_portal.call("DELETE", "/api/v1/session", nullptr, false).status, 403);
  EXPECT_EQ(main_portal.call("DELETE", "/api/v1/session").status, 204);
  EXPECT_EQ(main_portal.call("GET", "/api/v1/session").status, 401);
}

// ---- HPKI ----------------------------------------------------------------------------

std::string openssl_field(const std::string& pem, const std::string& what) {
  auto out = testing::run_checked(
      {"openssl", "x509", "-in", pem, "-noout", "-" + what, "-nameopt", "RFC2253"});
  out = out.substr(out.find('=') + 1);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' '))
    out.pop_back();
  return out;
}

TEST(TrustLogin, HpkiCardsLogInWithTheirProfessionAndBadOnesAreRefusedClearly) {
  const std::string& dir = net().hpki;
  add_user("hpki-doctor", clinic(), "doctor");
  add_user("hpki-pharmacist", clinic(), "pharmacist");
  auto bind1 = net().admin->call("PUT", "/api/v1/admin/users/hpki-doctor/hpki",
                                 {{"issuer", openssl_field(dir + "/doctor.pem", "issuer")},
                                  {"serial", openssl_field(dir + "/doctor.pem", "serial")}});
  ASSERT_EQ(bind1.status, 200) << bind1.body;
  EXPECT_TRUE(body_of(bind1)["hpki_bound"].get<bool>());
  auto bind2 = net().admin->call("PUT", "/api/v1/admin/users/hpki-pharmacist/hpki",
                                 {{"subject", openssl_field(dir + "/pharmacist.pem", "subject")}});
  ASSERT_EQ(bind2.status, 200) << bind2.body;

  const int port = net().portal->port("web");
  auto card = [&](const std::string& name) {
    Browser b(port, dir + "/" + name + ".pem", dir + "/" + name + ".key");
    return b.login_hpki();
  };
  auto doctor = card("doctor");
  ASSERT_EQ(doctor.status, 200) << doctor.body;
  EXPECT_EQ(body_of(doctor)["user"]["login_id"], "hpki-doctor");
  EXPECT_EQ(body_of(doctor)["user"]["profession"], "doctor");
  auto pharmacist = card("pharmacist");
  ASSERT_EQ(pharmacist.status, 200) << pharmacist.body;
  EXPECT_EQ(body_of(pharmacist)["user"]["profession"], "pharmacist");

  const std::map<std::string, std::string> refused = {
      {"untrusted", "not issued by a trusted HPKI certification authority"},
      {"expired", "has expired"},
      {"revoked", "has been revoked"}};
  for (const auto& [name, message] : refused) {
    auto r = card(name);
    EXPECT_EQ(r.status, 401) << name << ": " << r.body;
    EXPECT_NE(body_of(r)["message"].get<std::string>().find(message), std::string::npos)
        << name << ": " << r.body;
  }
  // Without a card: a message saying so.
  auto none = Browser(port).login_hpki();
  EXPECT_EQ(none.status, 401);
  EXPECT_NE(none.body.find("no HPKI card"), std::string::npos) << none.body;
}

}  // namespace
}  // namespace hareyaka
