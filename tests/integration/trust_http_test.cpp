// Portal trust through the real HTTP API of a real portal (and a real gateway) on a real
// PostgreSQL: password + one-time code login with first-login enrolment, lockout, CSRF,
// session expiry, logout; HPKI card login over TLS; the admin console's endpoints; the
// generated access matrix (profession x facility kind x category x consent state) on the
// list, search, summary and category endpoints with every decision audited; and an altered
// audit row found by the chain verification.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <pqxx/pqxx>
#include <set>
#include <thread>

#include "common/error.hpp"
#include "consent/category.hpp"
#include "hpd/pg_directory_store.hpp"
#include "pix/pg_identity_store.hpp"
#include "portal/auth/password.hpp"
#include "portal/auth/totp.hpp"
#include "tests/integration/trust_network.hpp"
#include "tests/support/expected_access.hpp"

namespace hareyaka {
namespace {

using nlohmann::json;
using testing::body_of;
using testing::Browser;
using testing::kPassword;
using testing::TrustNetwork;

TrustNetwork& net() {
  return TrustNetwork::get();
}

// A viewing facility registered through the admin API.
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

// First login of a new user: enrolment of the one-time code. Leaves `b` logged in and
// returns the secret (its current step is used; the next login needs step_offset 1).
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

// ---- password + one-time code -------------------------------------------------------

TEST(TrustHttp, FirstLoginEnrolsTheOneTimeCodeThenLogsIn) {
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

TEST(TrustHttp, WrongPasswordThenLockoutWithAClearMessageAndAdminReset) {
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

TEST(TrustHttp, StateChangingRequestsNeedTheCsrfToken) {
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

TEST(TrustHttp, NonAdministratorsCannotUseTheAdminApi) {
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

TEST(TrustHttp, SessionEndsAfterIdleTimeoutAndAtLogout) {
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

TEST(TrustHttp, HpkiCardsLogInWithTheirProfessionAndBadOnesAreRefusedClearly) {
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

// ---- the generated access matrix -----------------------------------------------------

enum class State { kNone, kGiven, kScoped, kExpired, kWithdrawn };
constexpr std::array kStates = {State::kNone, State::kGiven, State::kScoped, State::kExpired,
                                State::kWithdrawn};
const char* name(State s) {
  switch (s) {
    case State::kNone:
      return "none";
    case State::kGiven:
      return "given";
    case State::kScoped:
      return "scoped";
    case State::kExpired:
      return "expired";
    case State::kWithdrawn:
      return "withdrawn";
  }
  return "?";
}
const std::set<consent::Category> kScope = {
    consent::Category::kEncounters, consent::Category::kPrescriptions, consent::Category::kImaging,
    consent::Category::kDemographics};
// The viewer's category endpoints and the gateway categories each is made of.
const std::vector<std::tuple<std::string, consent::Category, std::vector<std::string>>>
    kViewerCategories = {
        {"encounters", consent::Category::kEncounters, {"encounters"}},
        {"diagnoses", consent::Category::kDiagnoses, {"diagnoses"}},
        {"prescriptions", consent::Category::kPrescriptions, {"prescriptions"}},
        {"injections", consent::Category::kInjections, {"injections"}},
        {"allergies", consent::Category::kAllergies, {"allergies"}},
        {"lab_results", consent::Category::kLabResults, {"lab_results"}},
        {"imaging", consent::Category::kImaging, {"radiology"}},
        {"reports", consent::Category::kReports, {"radiology", "endoscopy", "physiology"}},
        {"documents", consent::Category::kDocuments, {"documents"}},
};

bool expected_allow(hpd::Profession p, hpd::FacilityKind k, consent::Category c, State s) {
  if (!testing::expected_role(p, k, c))
    return false;
  return s == State::kGiven || (s == State::kScoped && kScope.count(c) > 0);
}

std::string expected_reason(hpd::Profession p, hpd::FacilityKind k, consent::Category c, State s) {
  if (!testing::expected_role(p, k, c))
    return "role_not_permitted";
  if (s == State::kScoped && !kScope.count(c))
    return "category_not_in_scope";
  return "";
}

std::string url_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

pix::Demographics demographics_of(const json& patient) {
  pix::Demographics d;
  d.family_kanji = patient["name_kanji"].value("family", "");
  d.given_kanji = patient["name_kanji"].value("given", "");
  d.family_kana = patient["name_kana"].value("family", "");
  d.given_kana = patient["name_kana"].value("given", "");
  d.birth_date = patient.value("birth_date", "");
  std::erase(d.birth_date, '-');
  const std::string sex = patient.value("sex", "U");
  d.sex = sex.empty() ? 'U' : sex[0];
  return d;
}

// What the test registered: the patient (a person in PIX), the viewing facilities and users.
struct Matrix {
  std::string local_id, other_local_id;
  std::string person_id, other_person_id;
  std::string family_kanji;
  std::map<std::string, bool> has_data;  // viewer category -> the gateway holds some
  struct User {
    std::string login;
    hpd::Profession profession;
    hpd::FacilityKind kind;
    State state;
  };
  std::vector<User> users;
  std::map<std::pair<hpd::FacilityKind, State>, std::string> facility;
  std::string secret = auth::generate_totp_secret();
};

Matrix make_matrix();
Matrix& matrix() {
  static Matrix m = [] {
    try {
      return make_matrix();
    } catch (const Error& e) {
      std::fprintf(stderr, "matrix set-up failed: %s (%s)\n", e.external().c_str(),
                   e.internal().c_str());
      throw;
    }
  }();
  return m;
}

Matrix make_matrix() {
  {
    Matrix m;
    // The oracle: which categories the gateway holds for each generated patient; the one
    // with the most is the matrix's patient, another one stays unconsented to the matrix.
    int best = -1;
    for (int id = 1000001; id <= 1000004; ++id) {
      const std::string local = std::to_string(id);
      std::map<std::string, bool> has;
      int n = 0;
      for (const auto& [cat, c, parts] : kViewerCategories) {
        bool any = false;
        for (const auto& part : parts) {
          auto b = net().gateway_get(local, part);
          any = any || (b.is_object() && !b["items"].empty());
        }
        has[cat] = any;
        n += any;
      }
      if (n > best) {
        if (!m.local_id.empty())
          m.other_local_id = m.local_id;
        best = n;
        m.local_id = local;
        m.has_data = has;
      } else if (m.other_local_id.empty()) {
        m.other_local_id = local;
      }
    }
    // The disclosing hospital and its gateway, registered through the admin API.
    auto hospital = net().admin->call("POST", "/api/v1/admin/facilities",
                                      {{"oid", testing::kHospitalOid},
                                       {"name", "晴れやか総合病院"},
                                       {"kind", "hospital"},
                                       {"discloses", true},
                                       {"views", false},
                                       {"gateway_url", net().gateway->url("nodes", "")},
                                       {"gateway_cert_sha256", net().gateway_sha256}});
    if (hospital.status != 201)
      throw std::runtime_error("hospital: " + hospital.body);
    // The patients in PIX, as the gateway's feed would register them.
    pix::PgIdentityStore identities(*net().pool, {});
    identities.register_domain(testing::kHospitalDomain, "晴れやか総合病院");
    auto demo = demographics_of(net().gateway_get(m.local_id, "demographics")["patient"]);
    m.family_kanji = demo.family_kanji;
    m.person_id = std::to_string(
        identities.register_identity({{testing::kHospitalDomain, m.local_id}}, demo).person_id);
    auto other = demographics_of(net().gateway_get(m.other_local_id, "demographics")["patient"]);
    m.other_person_id = std::to_string(
        identities.register_identity({{testing::kHospitalDomain, m.other_local_id}}, other)
            .person_id);
    // The other patient consents to one facility outside the matrix only.
    const std::string outsider = add_viewing_facility(3999999, "clinic", "圏外クリニック");
    auto c = net().admin->call("POST", "/api/v1/admin/consents",
                               {{"authority", testing::kHospitalDomain},
                                {"local_id", m.other_local_id},
                                {"viewer_facility_oid", outsider}});
    if (c.status != 201)
      throw std::runtime_error("consent: " + c.body);

    // One viewing facility per (kind, consent state), with one user per profession.
    hpd::PgDirectoryStore directory(*net().pool);
    const std::string hash =
        auth::hash_password(kPassword, auth::PasswordHashing::fastest_for_tests());
    int code = 3000000;
    for (auto kind : hpd::kAllFacilityKinds) {
      for (auto state : kStates) {
        const std::string oid =
            add_viewing_facility(++code, std::string(hpd::to_string(kind)),
                                 std::string(hpd::to_string(kind)) + " " + name(state));
        m.facility[{kind, state}] = oid;
        for (auto prof : hpd::kAllProfessions) {
          hpd::User u;
          u.login_id = "m." + std::string(hpd::to_string(kind)) + "." + name(state) + "." +
                       std::string(hpd::to_string(prof));
          u.facility_oid = oid;
          u.profession = prof;
          u.display_name = u.login_id;
          u.password_hash = hash;
          u.totp_secret = m.secret;
          directory.create_user(u);
          m.users.push_back({u.login_id, prof, kind, state});
        }
        json consent{{"authority", testing::kHospitalDomain},
                     {"local_id", m.local_id},
                     {"viewer_facility_oid", oid},
                     {"document_ref", std::string("FORM-") + name(state)}};
        switch (state) {
          case State::kNone:
            continue;
          case State::kGiven:
          case State::kWithdrawn:
            break;
          case State::kScoped:
            consent["categories"] = {"encounters", "prescriptions", "imaging", "demographics"};
            break;
          case State::kExpired:
            consent["start"] = "2020-04-01";
            consent["expiry"] = "2021-03-31";
            break;
        }
        auto r = net().admin->call("POST", "/api/v1/admin/consents", consent);
        if (r.status != 201)
          throw std::runtime_error("consent: " + r.body);
        if (state == State::kWithdrawn) {
          auto w = net().admin->call(
              "POST", "/api/v1/admin/consents/" + body_of(r)["id"].get<std::string>() + "/withdraw",
              {{"reason", "patient asked at the desk"}});
          if (w.status != 200)
            throw std::runtime_error("withdraw: " + w.body);
        }
      }
    }
    return m;
  }
}

std::set<std::string> person_ids(const http::ClientResponse& r) {
  std::set<std::string> out;
  const json body = body_of(r);
  for (const auto& p : body["items"])
    out.insert(p["person_id"].get<std::string>());
  return out;
}

TEST(TrustHttp, GeneratedMatrixEveryCellThroughTheHttpApi) {
  Matrix& m = matrix();
  ASSERT_EQ(m.users.size(), 10u * 6u * 5u);
  int covered = 0;
  for (const auto& [cat, has] : m.has_data)
    covered += has;
  // Without data a category cannot show "allowed" by its content; the audit still does.
  EXPECT_GE(covered, 6) << "the generated patient lacks data in too many categories";
  const auto started = std::chrono::steady_clock::now();
  std::atomic<int> cells{0}, allows{0}, denies{0};
  const int port = net().portal->port("web");
  auto run = [&](std::size_t first, std::size_t stride) {
    for (std::size_t i = first; i < m.users.size(); i += stride) {
      const auto& u = m.users[i];
      const std::string where = u.login;
      Browser b(port);
      auto login = b.login(u.login, kPassword, m.secret);
      ASSERT_EQ(login.status, 200) << where << ": " << login.body;
      const bool visible = u.state == State::kGiven || u.state == State::kScoped;
      // The list and the search carry the person exactly when a live consent exists, and
      // never the patient who consented to another facility.
      auto list = person_ids(b.call("GET", "/api/v1/persons?page_size=200"));
      EXPECT_EQ(list.count(m.person_id) > 0, visible) << where << " list";
      EXPECT_EQ(list.count(m.other_person_id), 0u) << where << " list";
      auto search = person_ids(b.call("GET", "/api/v1/persons?q=" + url_encode(m.family_kanji)));
      EXPECT_EQ(search.count(m.person_id) > 0, visible) << where << " search";
      EXPECT_EQ(search.count(m.other_person_id), 0u) << where << " search";
      auto other = b.call("GET", "/api/v1/persons/" + m.other_person_id + "/diagnoses");
      EXPECT_EQ(other.status, 404) << where;
      // The summary names exactly the categories the user may open.
      auto summary = b.call("GET", "/api/v1/persons/" + m.person_id);
      EXPECT_EQ(summary.status, visible ? 200 : 404) << where << " " << summary.body;
      if (summary.status == 200) {
        std::set<std::string> want, got;
        for (const auto& [cat, c, parts] : kViewerCategories) {
          if (expected_allow(u.profession, u.kind, c, u.state))
            want.insert(cat);
        }
        const json sb = body_of(summary);
        for (const auto& f : sb["facilities"]) {
          for (const auto& c : f["categories"])
            got.insert(c.get<std::string>());
        }
        EXPECT_EQ(got, want) << where << " summary";
      }
      for (const auto& [cat, c, parts] : kViewerCategories) {
        const bool allow = visible && expected_allow(u.profession, u.kind, c, u.state);
        auto r = b.call("GET", "/api/v1/persons/" + m.person_id + "/" + cat);
        ++cells;
        (allow ? allows : denies)++;
        if (!visible) {
          EXPECT_EQ(r.status, 404) << where << " " << cat;
          EXPECT_EQ(r.body.find(m.local_id), std::string::npos) << where << " " << cat;
          continue;
        }
        // Visible, but the role or the consent's scope refuses: 403 with the reason.
        if (!allow) {
          EXPECT_EQ(r.status, 403) << where << " " << cat << ": " << r.body;
          EXPECT_EQ(r.body.find(m.local_id), std::string::npos) << where << " " << cat;
          continue;
        }
        ASSERT_EQ(r.status, 200) << where << " " << cat << ": " << r.body;
        json body = body_of(r);
        EXPECT_TRUE(body["missing"].empty()) << where << " " << cat << ": " << r.body;
        EXPECT_EQ(!body["items"].empty(), m.has_data.at(cat))
            << where << " " << cat << ": " << r.body.substr(0, 300);
        for (const auto& item : body["items"])
          EXPECT_EQ(item["facility_oid"], testing::kHospitalOid);
      }
    }
  };
  std::vector<std::thread> threads;
  constexpr std::size_t kThreads = 4;
  for (std::size_t t = 0; t < kThreads; ++t)
    threads.emplace_back(run, t, kThreads);
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(cells.load(), 10 * 6 * 9 * 5);
  EXPECT_GT(allows.load(), 150);
  EXPECT_GT(denies.load(), 1500);

  // Every decision is on record: allowed ones as success, refused ones as denied with the
  // reason, found through the admin API's audit search.
  for (const auto& u : m.users) {
    auto r =
        net().admin->call("GET", "/api/v1/admin/audit?event=view&page_size=200&user=" + u.login);
    ASSERT_EQ(r.status, 200) << r.body;
    std::map<std::string, std::vector<json>> by_category;
    const json records = body_of(r);
    for (const auto& rec : records["items"]) {
      if (rec["person_id"] != m.person_id)
        continue;  // the attempt on the other patient
      by_category[rec["category"].get<std::string>()].push_back(rec);
    }
    const bool visible = u.state == State::kGiven || u.state == State::kScoped;
    for (const auto& [cat, c, parts] : kViewerCategories) {
      const auto& recs = by_category[cat];
      EXPECT_FALSE(recs.empty()) << u.login << " " << cat << ": no audit record";
      const bool allow = visible && expected_allow(u.profession, u.kind, c, u.state);
      for (const auto& rec : recs) {
        EXPECT_EQ(rec["outcome"], allow ? "success" : "denied") << u.login << " " << cat;
        EXPECT_EQ(rec["person_id"], m.person_id);
        if (visible) {
          EXPECT_EQ(rec["reason"], expected_reason(u.profession, u.kind, c, u.state))
              << u.login << " " << cat;
        } else {
          EXPECT_FALSE(rec["reason"].get<std::string>().empty()) << u.login << " " << cat;
        }
      }
    }
  }
  std::printf("matrix: %d cells (%d allowed, %d denied) in %.1f s\n", cells.load(), allows.load(),
              denies.load(),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
}

// ---- the admin console ---------------------------------------------------------------------

TEST(TrustHttp, AdminFacilitiesUsersAndConsents) {
  Browser& admin = *net().admin;
  Matrix& m = matrix();
  clinic();
  // Facilities: OID checks, search, read, edit.
  auto bad = admin.call(
      "POST", "/api/v1/admin/facilities",
      {{"oid", "1.2.392.200284.33.01"}, {"name", "x"}, {"kind", "clinic"}, {"views", true}});
  EXPECT_EQ(bad.status, 422) << bad.body;
  EXPECT_NE(body_of(bad)["message"].get<std::string>().find("oid"), std::string::npos);
  auto outside =
      admin.call("POST", "/api/v1/admin/facilities",
                 {{"oid", "1.2.3.4.5"}, {"name", "x"}, {"kind", "clinic"}, {"views", true}});
  EXPECT_EQ(outside.status, 422);
  auto dup = admin.call("POST", "/api/v1/admin/facilities",
                        {{"prefecture", "33"},
                         {"code", "2000001"},
                         {"name", "x"},
                         {"kind", "clinic"},
                         {"views", true}});
  EXPECT_EQ(dup.status, 409) << dup.body;
  auto found = admin.call("GET", "/api/v1/admin/facilities?q=" + url_encode("晴れやかク"));
  ASSERT_EQ(found.status, 200);
  ASSERT_EQ(body_of(found)["items"].size(), 1u) << found.body;
  EXPECT_EQ(body_of(found)["items"][0]["oid"], clinic());
  auto paged = admin.call("GET", "/api/v1/admin/facilities?page_size=10");
  EXPECT_EQ(body_of(paged)["items"].size(), 10u);
  auto next = admin.call("GET", "/api/v1/admin/facilities?page_size=10&cursor=" +
                                    url_encode(body_of(paged)["next_cursor"].get<std::string>()));
  EXPECT_NE(body_of(next)["items"][0]["oid"], body_of(paged)["items"][9]["oid"]);
  auto edit =
      admin.call("PUT", "/api/v1/admin/facilities/" + clinic(), {{"municipality", "332020"}});
  ASSERT_EQ(edit.status, 200) << edit.body;
  auto read = body_of(admin.call("GET", "/api/v1/admin/facilities/" + clinic()));
  EXPECT_EQ(read["municipality"], "332020");
  EXPECT_EQ(read["prefecture"], "33");
  EXPECT_EQ(read["code"], "2000001");

  // Users: password rules, listing by facility, lock ends the sessions and refuses login.
  auto weak = admin.call("POST", "/api/v1/admin/users",
                         {{"login_id", "weak-one"},
                          {"display_name", "w"},
                          {"facility_oid", clinic()},
                          {"profession", "nurse"},
                          {"password", "password"}});
  EXPECT_EQ(weak.status, 422);
  add_user("ns-lockme", clinic(), "nurse");
  Browser nurse(net().portal->port("web"));
  const std::string secret = enrol(nurse, "ns-lockme");
  auto users =
      body_of(admin.call("GET", "/api/v1/admin/users?facility_oid=" + clinic() + "&q=ns-"));
  ASSERT_EQ(users["items"].size(), 1u);
  EXPECT_EQ(users["items"][0]["facility_name"], "晴れやかクリニック");
  auto lock = admin.call("PUT", "/api/v1/admin/users/ns-lockme",
                         {{"status", "locked"}, {"display_name", "看護 花子"}});
  ASSERT_EQ(lock.status, 200) << lock.body;
  EXPECT_EQ(body_of(lock)["status"], "locked");
  EXPECT_EQ(nurse.call("GET", "/api/v1/session").status, 401);
  auto refused = Browser(net().portal->port("web")).login("ns-lockme", kPassword, secret, 1);
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(admin.call("PUT", "/api/v1/admin/users/nobody-x", {{"status", "active"}}).status, 404);

  // Consents: by patient and by person, history with the withdrawal.
  auto by_patient = body_of(admin.call("GET", std::string("/api/v1/admin/consents?authority=") +
                                                  testing::kHospitalDomain +
                                                  "&local_id=" + m.local_id + "&page_size=200"));
  EXPECT_EQ(by_patient["items"].size(), 6u * 4u);
  auto by_person = body_of(
      admin.call("GET", "/api/v1/admin/consents?person_id=" + m.person_id + "&page_size=5"));
  EXPECT_EQ(by_person["items"].size(), 5u);
  EXPECT_TRUE(by_person.contains("next_cursor"));
  std::string withdrawn_id;
  for (const auto& c : by_patient["items"]) {
    if (c["status"] == "withdrawn")
      withdrawn_id = c["id"];
  }
  ASSERT_FALSE(withdrawn_id.empty());
  auto history = body_of(admin.call("GET", "/api/v1/admin/consents/" + withdrawn_id + "/history"));
  std::set<std::string> actions;
  for (const auto& h : history["items"])
    actions.insert(h["action"].get<std::string>());
  EXPECT_EQ(actions, (std::set<std::string>{"given", "withdrawn"})) << history.dump();
  auto again =
      admin.call("POST", "/api/v1/admin/consents/" + withdrawn_id + "/withdraw", {{"reason", "x"}});
  EXPECT_EQ(again.status, 409);
  auto changes =
      body_of(admin.call("GET", "/api/v1/admin/audit?event=consent_change&page_size=500"));
  EXPECT_GE(changes["items"].size(), 6u * 4u + 6u);
}

TEST(TrustHttp, PolicyEditTakesEffectOnTheNextRequest) {
  Browser& admin = *net().admin;
  Matrix& m = matrix();
  auto policy = body_of(admin.call("GET", "/api/v1/admin/policy"));
  ASSERT_EQ(policy["cells"].size(), 600u);
  for (const auto& c : policy["cells"]) {
    auto p = *hpd::parse_profession(c["profession"].get<std::string>());
    auto k = *hpd::parse_facility_kind(c["facility_kind"].get<std::string>());
    auto cat = *consent::parse_category(c["category"].get<std::string>());
    EXPECT_EQ(c["allowed"].get<bool>(), testing::expected_role(p, k, cat)) << c.dump();
  }
  // A pharmacist at a pharmacy with a consent: no lab results, then the secretariat widens.
  Browser b(net().portal->port("web"));
  ASSERT_EQ(b.login("m.pharmacy.given.pharmacist", kPassword, m.secret, 1).status, 200);
  const std::string path = "/api/v1/persons/" + m.person_id + "/lab_results";
  EXPECT_EQ(b.call("GET", path).status, 403);
  json cell{
      {"profession", "pharmacist"}, {"facility_kind", "pharmacy"}, {"category", "lab_results"}};
  cell["allowed"] = true;
  auto put = admin.call("PUT", "/api/v1/admin/policy", {{"cells", {cell}}});
  ASSERT_EQ(put.status, 200) << put.body;
  auto widened = b.call("GET", path);
  EXPECT_EQ(widened.status, 200) << widened.body;
  EXPECT_EQ(!body_of(widened)["items"].empty(), m.has_data.at("lab_results"));
  cell["allowed"] = false;
  ASSERT_EQ(admin.call("PUT", "/api/v1/admin/policy", {{"cells", {cell}}}).status, 200);
  EXPECT_EQ(b.call("GET", path).status, 403);
  auto bad = admin.call("PUT", "/api/v1/admin/policy",
                        {{"cells",
                          {{{"profession", "wizard"},
                            {"facility_kind", "pharmacy"},
                            {"category", "lab_results"},
                            {"allowed", true}}}}});
  EXPECT_EQ(bad.status, 422);
  auto changes = body_of(admin.call("GET", "/api/v1/admin/audit?event=policy_change"));
  EXPECT_GE(changes["items"].size(), 2u);
}

TEST(TrustHttp, AccessReportIdentityQueueAndUnlink) {
  Browser& admin = *net().admin;
  Matrix& m = matrix();
  // Every page, following next_cursor: the pages do not overlap and end.
  std::set<std::string> viewers;
  std::set<std::int64_t> seqs;
  std::string cursor;
  int pages = 0;
  for (;;) {
    auto report =
        admin.call("GET", "/api/v1/admin/persons/" + m.person_id + "/access-report?page_size=300" +
                              (cursor.empty() ? "" : "&cursor=" + url_encode(cursor)));
    ASSERT_EQ(report.status, 200) << report.body;
    json rep = body_of(report);
    EXPECT_EQ(rep["person"]["person_id"], m.person_id);
    ++pages;
    for (const auto& item : rep["items"]) {
      EXPECT_TRUE(seqs.insert(item["seq"].get<std::int64_t>()).second);
      if (item["outcome"] == "success")
        viewers.insert(item["user"].get<std::string>());
    }
    if (!rep.contains("next_cursor"))
      break;
    cursor = rep["next_cursor"];
    ASSERT_LT(pages, 100);
  }
  EXPECT_GT(pages, 1);
  EXPECT_TRUE(viewers.count("m.hospital.given.doctor"));
  EXPECT_FALSE(viewers.count("m.hospital.none.doctor"));
  EXPECT_EQ(admin.call("GET", "/api/v1/admin/persons/999999999/access-report").status, 404);

  auto queue = admin.call("GET", "/api/v1/admin/identity-review");
  ASSERT_EQ(queue.status, 200) << queue.body;
  EXPECT_TRUE(body_of(queue)["items"].is_array());
  EXPECT_EQ(admin.call("POST", "/api/v1/admin/identity-review/999999", {{"action", "link"}}).status,
            404);
  EXPECT_EQ(admin.call("POST", "/api/v1/admin/identity-review/1", {{"action", "merge"}}).status,
            422);

  // A second identity of the same patient at another domain joins the person; unlink it.
  pix::PgIdentityStore identities(*net().pool, {});
  const std::string domain = "1.2.392.200284.33.1310002.1";
  identities.register_domain(domain, "別病院");
  auto rec = identities.find({testing::kHospitalDomain, m.local_id});
  ASSERT_TRUE(rec);
  identities.register_identity({{domain, "X-1"}}, rec->demographics);
  if (identities.find({domain, "X-1"})->person_id != rec->person_id) {
    identities.link({domain, "X-1"}, {testing::kHospitalDomain, m.local_id},
                    {"trust-test", "same patient"});
  }
  ASSERT_EQ(std::to_string(identities.find({domain, "X-1"})->person_id), m.person_id);
  auto wrong = admin.call("POST", "/api/v1/admin/persons/" + m.other_person_id + "/unlink",
                          {{"authority", domain}, {"local_id", "X-1"}, {"reason", "test"}});
  EXPECT_EQ(wrong.status, 404);
  auto unlink =
      admin.call("POST", "/api/v1/admin/persons/" + m.person_id + "/unlink",
                 {{"authority", domain}, {"local_id", "X-1"}, {"reason", "different patient"}});
  ASSERT_EQ(unlink.status, 200) << unlink.body;
  EXPECT_NE(body_of(unlink)["new_person_id"], m.person_id);
  EXPECT_NE(std::to_string(identities.find({domain, "X-1"})->person_id), m.person_id);
}

// Last: it breaks the chain on purpose.
TEST(TrustHttp, ZzTamperedAuditRowIsFoundByVerification) {
  Browser& admin = *net().admin;
  matrix();
  auto ok = admin.call("POST", "/api/v1/admin/audit/verify", json::object());
  ASSERT_EQ(ok.status, 200) << ok.body;
  ASSERT_TRUE(body_of(ok)["ok"].get<bool>()) << ok.body;
  const auto head = body_of(ok)["head_seq"].get<std::int64_t>();
  ASSERT_GT(head, 100);
  const std::int64_t victim = head / 2;
  {
    pqxx::connection c(net().db);
    pqxx::work w(c);
    w.exec("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only");
    w.exec("UPDATE audit_log SET detail = detail || ' (edited)' WHERE seq = " +
           std::to_string(victim));
    w.exec("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only");
    w.commit();
  }
  auto broken = admin.call("POST", "/api/v1/admin/audit/verify", json::object());
  ASSERT_EQ(broken.status, 200) << broken.body;
  json v = body_of(broken);
  EXPECT_FALSE(v["ok"].get<bool>());
  EXPECT_EQ(v["first_broken_seq"].get<std::int64_t>(), victim) << broken.body;
  EXPECT_NE(v["detail"].get<std::string>().find("altered"), std::string::npos) << broken.body;
}

}  // namespace
}  // namespace hareyaka
