// Hosted disclosure (#17) through the real portal on a real PostgreSQL: a facility data manager
// (施設データ管理者) logs in, uploads an SS-MIX2 zip with POST /api/v1/uploads/ssmix2, and the
// portal forwards it to the facility's gateway (here a small HTTPS server of the test's own,
// with a network certificate and mutual TLS, so that what arrives can be looked at): the body,
// the Content-Type and an access assertion that verifies with the portal's public key for that
// facility (category and purpose "upload"). The gateway's answers come back unchanged. A doctor
// is refused, a facility without a gateway is a 409, a gateway that is down a 503; each attempt
// is on record; a real hareyaka-gateway's answer comes back as it is; and the data manager
// sees no patient at all in the viewer, not even where its facility holds the patient's
// consent.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "common/assertion.hpp"
#include "common/pg.hpp"
#include "tests/common/test_server.hpp"
#include "tests/integration/trust_matrix_setup.hpp"
#include "tests/integration/trust_network.hpp"
#include "tests/support/dev_pki.hpp"

namespace hareyaka {
namespace {

using nlohmann::json;
using testing::body_of;
using testing::Browser;
using testing::dev_pki;
using testing::kPassword;
using testing::net;

constexpr pg::Statement kUploadAudit{
    "test_upload_audit",
    "SELECT actor_user, outcome, reason, detail, actor_facility, source_facility, "
    "actor_profession FROM audit_log WHERE event_type = 'upload' ORDER BY seq"};

// The stand-in gateway: keeps what it was sent, answers what it is told to.
struct FakeGateway {
  struct Seen {
    std::string body, content_type, assertion, request_id, presenter;
  };
  std::mutex mutex;
  std::vector<Seen> seen;
  int status = 200;
  std::string answer;

  std::shared_ptr<http::Router> router() {
    auto r = std::make_shared<http::Router>();
    r->add_blocking("POST", "/gw/v1/uploads/ssmix2",
                    [this](http::Request& req) {
                      std::lock_guard lock(mutex);
                      seen.push_back({req.body, req.header("Content-Type").value_or(""),
                                      req.header(kAssertionHeader).value_or(""),
                                      req.header("X-Request-Id").value_or(""),
                                      req.peer ? req.peer->sha256_fingerprint : ""});
                      return http::Response::json(status, answer);
                    },
                    {.body_limit = 16u << 20});
    return r;
  }
};

http::ListenerSettings gateway_listener() {
  http::ListenerSettings s;
  s.name = "gw";
  s.tls.cert_file = dev_pki().cert("gateway-b");
  s.tls.key_file = dev_pki().key("gateway-b");
  s.tls.ca_file = dev_pki().ca();
  s.tls.client_auth = tls::ClientAuth::kRequire;
  return s;
}

// A facility registered through the admin API: disclosing through its gateway and viewing
// nothing, or (without a gateway) a viewing one; returns its OID.
std::string add_facility(int code, const std::string& name, const std::string& gateway_url,
                         const std::string& gateway_sha256 = "") {
  json body{{"prefecture", "33"},
            {"code", std::to_string(code)},
            {"name", name},
            {"name_kana", "テスト"},
            {"kind", "pharmacy"},
            {"municipality", "332011"},
            {"discloses", !gateway_url.empty()},
            {"views", gateway_url.empty()}};
  if (!gateway_url.empty()) {
    body["gateway_url"] = gateway_url;
    body["gateway_cert_sha256"] = gateway_sha256;
  }
  auto r = net().admin->call("POST", "/api/v1/admin/facilities", body);
  if (r.status != 201)
    throw std::runtime_error("facility create: " + r.body);
  return body_of(r)["oid"].get<std::string>();
}

std::unique_ptr<Browser> data_manager(const std::string& login, const std::string& facility) {
  testing::add_user(login, facility, "data_manager");
  auto b = std::make_unique<Browser>(net().portal->port("web"));
  testing::enrol(*b, login);
  return b;
}

const std::string kZip = "PK\x03\x04" + std::string(60, 'z') + "PK\x05\x06" + std::string(18, '\0');

TEST(UploadHttp, ADataManagerUploadsToItsFacilitysGatewayAndNothingElse) {
  FakeGateway fake;
  testing::TestServer gateway(gateway_listener(), fake.router());
  const std::string hosted = add_facility(4100001, "はれやか薬局（ホスト型）", gateway.url(""),
                                          testing::cert_fingerprint(dev_pki().cert("gateway-b")));
  const std::string bare = add_facility(4100002, "ゲートウェイ未登録薬局", "");
  // A registered gateway that is not listening: nothing answers on the port it names.
  int dead_port = 0;
  {
    testing::TestServer gone(gateway_listener(), fake.router());
    dead_port = gone.port();
  }
  const std::string dead =
      add_facility(4100003, "停止中薬局", "https://127.0.0.1:" + std::to_string(dead_port),
                   std::string(64, 'd'));

  // The data manager logs in like any user (password + one-time code), though its facility
  // views nothing; its session's role is "upload".
  auto dm = data_manager("dm-hosted", hosted);
  const json session = body_of(dm->call("GET", "/api/v1/session"));
  EXPECT_EQ(session["user"]["profession"], "data_manager");
  EXPECT_EQ(session["user"]["roles"], json::array({"upload"}));
  auto dm_bare = data_manager("dm-bare", bare);
  auto dm_dead = data_manager("dm-dead", dead);
  testing::add_user("up-doctor", testing::clinic(), "doctor");
  Browser doctor(net().portal->port("web"));
  testing::enrol(doctor, "up-doctor");

  const std::string path = "/api/v1/uploads/ssmix2";
  // Not a data manager: refused, nothing forwarded.
  auto refused = doctor.send("POST", path, kZip, "application/zip");
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(net().admin->send("POST", path, kZip, "application/zip").status, 403);
  // No gateway registered for the facility.
  auto nowhere = dm_bare->send("POST", path, kZip, "application/zip");
  EXPECT_EQ(nowhere.status, 409) << nowhere.body;
  EXPECT_NE(body_of(nowhere)["message"].get<std::string>().find("gateway"), std::string::npos);
  // Not a zip; no CSRF token.
  EXPECT_EQ(dm->send("POST", path, "name,value\r\n", "text/csv").status, 415);
  EXPECT_EQ(dm->call("POST", path, nullptr, false).status, 403);
  EXPECT_TRUE(fake.seen.empty());

  // Forwarded: the gateway's 200 and its body, unchanged.
  const json stored = {{"upload_id", "up-0001"},
                       {"stored", 2},
                       {"files",
                        {{{"path", "123/4567890/20260101/OML-11/a.hl7"}, {"status", "stored"}},
                         {{"path", "123/4567890/20260101/OMP-01/b.hl7"}, {"status", "stored"}}}}};
  fake.answer = stored.dump();
  auto ok = dm->send("POST", path, kZip, "application/zip");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.body, stored.dump());
  ASSERT_EQ(fake.seen.size(), 1u);
  const auto first = fake.seen[0];
  EXPECT_EQ(first.body, kZip);
  EXPECT_EQ(first.content_type, "application/zip");
  EXPECT_EQ(first.request_id, ok.headers["X-Request-Id"]);
  // Mutual TLS with the portal's node certificate, and an assertion it signed for this
  // facility alone, bound to that certificate.
  const std::string portal_cert = testing::cert_fingerprint(dev_pki().cert("portal"));
  EXPECT_EQ(first.presenter, portal_cert);
  AssertionVerifier verifier(dev_pki().dir + "/assertion.pub");
  EXPECT_TRUE(std::holds_alternative<AssertionError>(
      verifier.verify(first.assertion, bare, portal_cert, unix_now())));
  auto verified = verifier.verify(first.assertion, hosted, portal_cert, unix_now());
  ASSERT_TRUE(std::holds_alternative<AccessAssertion>(verified))
      << describe(std::get<AssertionError>(verified));
  const auto& a = std::get<AccessAssertion>(verified);
  EXPECT_EQ(a.user, "dm-hosted");
  EXPECT_EQ(a.profession, "data_manager");
  EXPECT_EQ(a.facility_oid, hosted);
  EXPECT_EQ(a.audience, hosted);
  EXPECT_EQ(a.category, "upload");
  EXPECT_EQ(a.purpose, "upload");
  EXPECT_EQ(a.authority, "");
  EXPECT_EQ(a.local_id, "");
  EXPECT_EQ(a.request_id, first.request_id);
  EXPECT_GT(a.expires_at, a.issued_at);

  // Something rejected (422) and over quota (413): the gateway's status and body as they are.
  const json partly = {
      {"upload_id", "up-0002"},
      {"stored", 1},
      {"files",
       {{{"path", "123/4567890/20260101/OML-11/a.hl7"}, {"status", "stored"}},
        {{"path", "secret-name.txt"}, {"status", "rejected"}, {"reason", "not an SS-MIX2 path"}}}}};
  fake.status = 422;
  fake.answer = partly.dump();
  auto some = dm->send("POST", path, kZip, "application/zip");
  EXPECT_EQ(some.status, 422);
  EXPECT_EQ(some.body, partly.dump());
  fake.status = 413;
  fake.answer = R"({"error":"payload_too_large","message":"over the facility's quota"})";
  auto full = dm->send("POST", path, kZip, "application/zip");
  EXPECT_EQ(full.status, 413);
  EXPECT_EQ(full.body, fake.answer);
  EXPECT_EQ(fake.seen.size(), 3u);

  // The facility's gateway is down.
  auto down = dm_dead->send("POST", path, kZip, "application/zip");
  EXPECT_EQ(down.status, 503) << down.body;
  EXPECT_NE(body_of(down)["message"].get<std::string>().find("cannot be reached"),
            std::string::npos);

  // Every attempt on record: who, which facility, how it ended, the gateway's counts; never
  // a file's name or contents.
  auto rows = pg::transact(*net().pool, [](pg::Tx& tx) { return tx.exec(kUploadAudit); });
  std::multiset<std::string> seen;
  std::map<std::string, std::string> detail_of;
  for (const auto& r : rows) {
    const std::string key =
        r[0].as<std::string>() + " " + r[1].as<std::string>() + " " + r[2].as<std::string>();
    seen.insert(key);
    detail_of[key] += r[3].as<std::string>() + "|";
    EXPECT_EQ(r[3].as<std::string>().find("secret-name"), std::string::npos);
    EXPECT_EQ(r[3].as<std::string>().find(".hl7"), std::string::npos);
    if (r[0].as<std::string>() == "dm-hosted") {
      EXPECT_EQ(r[4].as<std::string>(), hosted);
      EXPECT_EQ(r[5].as<std::string>(), hosted);
      EXPECT_EQ(r[6].as<std::string>(), "data_manager");
    }
  }
  EXPECT_EQ(seen.count("up-doctor denied not_data_manager"), 1u);
  EXPECT_EQ(seen.count(std::string(testing::kAdminLogin) + " denied not_data_manager"), 1u);
  EXPECT_EQ(seen.count("dm-bare failure no_gateway"), 1u);
  EXPECT_EQ(seen.count("dm-hosted failure unsupported_media_type"), 1u);
  EXPECT_EQ(seen.count(" denied csrf"), 1u);
  EXPECT_EQ(seen.count("dm-hosted success ssmix2_upload"), 1u);
  EXPECT_EQ(seen.count("dm-hosted failure gateway_422"), 1u);
  EXPECT_EQ(seen.count("dm-hosted failure gateway_413"), 1u);
  EXPECT_EQ(seen.count("dm-dead failure gateway_unreachable"), 1u);
  const std::string success = detail_of["dm-hosted success ssmix2_upload"];
  EXPECT_NE(success.find("gateway_status=200"), std::string::npos) << success;
  EXPECT_NE(success.find("stored=2"), std::string::npos) << success;
  EXPECT_NE(success.find("files=2"), std::string::npos) << success;
  EXPECT_NE(success.find("upload_id=up-0001"), std::string::npos) << success;
  EXPECT_NE(success.find("bytes=" + std::to_string(kZip.size())), std::string::npos) << success;
  const std::string rejected = detail_of["dm-hosted failure gateway_422"];
  EXPECT_NE(rejected.find("files.rejected=1"), std::string::npos) << rejected;
  // And the console finds them by their event type.
  auto search = body_of(net().admin->call("GET", "/api/v1/admin/audit?event=upload&page_size=50"));
  EXPECT_GE(search["items"].size(), 9u) << search.dump();
}

// The data manager sees no patient data: at a viewing facility that holds the patient's
// consent, where a doctor of the same facility sees the person, it finds nobody and gets no
// category.
TEST(UploadHttp, ADataManagerSeesNoPatientData) {
  auto& m = testing::matrix();
  Browser dm(net().portal->port("web")), doctor(net().portal->port("web"));
  for (const auto& u : m.users) {
    if (u.kind != hpd::FacilityKind::kClinic || u.state != testing::State::kGiven)
      continue;
    if (u.profession == hpd::Profession::kDataManager) {
      ASSERT_EQ(dm.login(u.login, kPassword, m.secret).status, 200);
    }
    if (u.profession == hpd::Profession::kDoctor) {
      ASSERT_EQ(doctor.login(u.login, kPassword, m.secret).status, 200);
    }
  }
  const std::string q = "/api/v1/persons?q=" + testing::url_encode(m.family_kanji);
  auto by_doctor = doctor.call("GET", q);
  ASSERT_EQ(by_doctor.status, 200);
  EXPECT_NE(by_doctor.body.find(m.family_kanji), std::string::npos) << by_doctor.body;
  auto listed = dm.call("GET", q);
  EXPECT_EQ(listed.status, 200);
  EXPECT_EQ(body_of(listed)["items"], json::array()) << listed.body;
  EXPECT_EQ(dm.call("GET", "/api/v1/persons/" + m.person_id).status, 404);
  for (const auto& [category, c, parts] : testing::kViewerCategories) {
    const auto r = dm.call("GET", "/api/v1/persons/" + m.person_id + "/" + category);
    EXPECT_TRUE(r.status == 403 || r.status == 404) << category << ": " << r.status;
    EXPECT_EQ(r.body.find(m.family_kanji), std::string::npos) << category;
  }
  // Nor is it a console user.
  EXPECT_EQ(dm.call("GET", "/api/v1/admin/facilities").status, 403);
  // Its policy row denies everything, and the secretariat cannot widen it.
  auto policy = body_of(net().admin->call("GET", "/api/v1/admin/policy"));
  int cells = 0;
  for (const auto& c : policy["cells"]) {
    if (c["profession"] == "data_manager") {
      ++cells;
      EXPECT_EQ(c["allowed"], false) << c.dump();
    }
  }
  EXPECT_EQ(cells, 6 * 10);
  auto widen = net().admin->call("PUT", "/api/v1/admin/policy",
                                 {{"cells",
                                   {{{"profession", "data_manager"},
                                     {"facility_kind", "clinic"},
                                     {"category", "demographics"},
                                     {"allowed", true}}}}});
  EXPECT_EQ(widen.status, 422) << widen.body;
  EXPECT_EQ(dm.call("GET", q).body.find(m.family_kanji), std::string::npos);
}

// Against a real hareyaka-gateway (the hospital's, registered by the matrix): whatever it
// answers the route today (404 before the hosted gateway's upload route is there), the
// browser gets that answer, and the record names the gateway's status.
TEST(UploadHttp, ARealGatewaysAnswerComesBackAsItIs) {
  testing::matrix();  // registers the hospital with its gateway_url
  auto dm = data_manager("dm-hospital", testing::kHospitalOid);
  auto r = dm->send("POST", "/api/v1/uploads/ssmix2", kZip, "application/zip");
  RecordProperty("gateway_status", r.status);
  EXPECT_NE(r.status, 409) << r.body;
  EXPECT_LT(r.status, 500) << r.body;  // it was reached and answered
  EXPECT_NE(r.status, 200) << r.body;  // an empty zip stores nothing
  constexpr pg::Statement kLast{
      "test_upload_audit_hospital",
      "SELECT reason, detail FROM audit_log WHERE event_type = 'upload' AND "
      "actor_user = 'dm-hospital' ORDER BY seq"};
  auto rows = pg::transact(*net().pool, [&](pg::Tx& tx) { return tx.exec(kLast); });
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0].as<std::string>(), "gateway_" + std::to_string(r.status));
  EXPECT_NE(rows[0][1].as<std::string>().find("gateway_status=" + std::to_string(r.status)),
            std::string::npos);
}

}  // namespace
}  // namespace hareyaka
