// The web form of a facility without an EMR (issue #17) through the real portal, on a real
// PostgreSQL, with a real hareyaka-hosted: a care facility (介護施設) is a tenant of the hosted
// gateway; its data manager registers a patient with the patient's consent and attaches a
// PDF; the tenant feeds the patient to the portal (ITI-44); the consent the form recorded lets
// a doctor see the care facility's document in the patient's documents next to the
// hospital's, and download it. A registration without consent is refused before anything is
// sent; a document that is not what it says, or for an unknown patient, is refused with its
// report and leaves nothing; every action is in the portal's audit and the tenant's.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "common/pg.hpp"
#include "pix/pg_identity_store.hpp"
#include "tests/integration/trust_matrix_setup.hpp"
#include "tests/integration/trust_network.hpp"
#include "tests/support/dev_pki.hpp"

namespace hareyaka {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::body_of;
using testing::dev_pki;
using testing::matrix;
using testing::net;

constexpr const char* kCareOid = "1.2.392.200284.33.2100005";
constexpr const char* kCareDomain = "1.2.392.200284.33.2100005.1";
const std::string kPdf = "%PDF-1.4\n% care facility referral\n1 0 obj <<>> endobj\n%%EOF\n";

constexpr pg::Statement kConsentOf{
    "test_care_consent",
    "SELECT document_ref, registered_by, source_facility FROM consents "
    "WHERE patient_authority = $1 AND patient_local_id = $2"};
constexpr pg::Statement kAuditOf{
    "test_care_audit",
    "SELECT event_type, outcome, reason FROM audit_log WHERE actor_user = 'care-dm' ORDER BY seq"};

constexpr pg::Statement kLocatorOf{
    "test_care_locator",
    "SELECT content::text FROM locators WHERE authority = $1 AND local_id = $2"};

std::string locator_of(const std::string& patient) {
  auto rows = pg::transact(*net().pool,
                           [&](pg::Tx& tx) { return tx.exec(kLocatorOf, kCareDomain, patient); });
  return rows.empty() ? "(none)" : rows[0][0].as<std::string>();
}

struct Care {
  std::unique_ptr<testing::Daemon> daemon;
  std::string tenants_dir;
  std::unique_ptr<testing::Browser> dm;
  std::unique_ptr<http::BlockingHttpClient> as_portal;  // the tenant's status routes

  json publish_status() {
    auto r = as_portal->request({.url = daemon->url("nodes", "/t/care/gw/v1/publish/status")});
    return body_of(r);
  }

  static Care& get() {
    static Care c;
    return c;
  }
  Care() {
    matrix();
    const auto& pki = dev_pki();
    const std::string dir = net().tmp.path() + "/care-hosted";
    tenants_dir = dir + "/tenants";
    json config{{"assertion_public_key", pki.dir + "/assertion.pub"},
                {"node_readers", {testing::cert_fingerprint(pki.cert("portal"))}},
                {"listener", testing::dev_listener("hosted", 0, "require")},
                {"tenants_dir", tenants_dir},
                {"state_dir", dir + "/state"},
                {"portal", {{"url", net().portal->url("nodes", "")}, {"ca_file", pki.ca()}}},
                {"directory", {{"pull_interval_ms", 500}}},
                {"tenants",
                 {{{"id", "care"},
                   {"facility_oid", kCareOid},
                   {"cert_file", pki.cert("tenant-a")},
                   {"key_file", pki.key("tenant-a")},
                   {"quota_mb", 16}}}}};
    daemon = std::make_unique<testing::Daemon>("gateway/hosted/hareyaka-hosted", config, "hosted");
    auto r = net().admin->call(
        "POST", "/api/v1/admin/facilities",
        {{"oid", kCareOid},
         {"name", "介護老人保健施設はれやか苑"},
         {"kind", "care_facility"},
         {"discloses", true},
         {"views", false},
         {"gateway_url", daemon->url("nodes", "") + "/t/care"},
         {"gateway_cert_sha256", testing::cert_fingerprint(pki.cert("tenant-a"))}});
    if (r.status != 201)
      throw std::runtime_error("care facility: " + r.body);
    http::ClientSettings cs;
    cs.tls = {.ca_file = pki.ca(), .cert_file = pki.cert("portal"), .key_file = pki.key("portal")};
    as_portal = std::make_unique<http::BlockingHttpClient>(cs);
    testing::add_user("care-dm", kCareOid, "data_manager");
    dm = std::make_unique<testing::Browser>(net().portal->port("web"));
    testing::enrol(*dm, "care-dm");
  }
};

// The hosted gateway's directory copy must know the data manager first (until its first pull
// it lets an unknown user through, so any call may be the first one after it).
http::ClientResponse send_when_known(testing::Browser& b, const std::string& method,
                                     const std::string& path, const std::string& body,
                                     const std::string& type) {
  http::ClientResponse r;
  testing::poll_until(
      [&] {
        r = b.send(method, path, body, type);
        return r.status != 403 || r.body.find("directory") == std::string::npos;
      },
      std::chrono::seconds(20));
  return r;
}

json registration(const std::string& id) {
  return {{"patient_id", id},
          {"family", "晴山"},
          {"given", "ミツ"},
          {"family_kana", "ハレヤマ"},
          {"given_kana", "ミツ"},
          {"sex", "F"},
          {"birth_date", "1936-03-03"},
          {"address", "香川県高松市1-1"},
          {"consent_obtained", true},
          {"consent_document_ref", "同意書 C-2026-001"},
          {"consent_date", "2026-12-01"}};
}

TEST(CareFormHttp, ARegisteredPatientsDocumentReachesADoctorNextToTheHospitals) {
  auto& c = Care::get();
  auto& m = matrix();
  const std::string patient = "C" + m.local_id;
  // Without consent: refused at the portal, nothing sent to the gateway.
  json no_consent = registration(patient);
  no_consent["consent_obtained"] = false;
  auto r = send_when_known(*c.dm, "POST", "/api/v1/uploads/patients", no_consent.dump(),
                           "application/json");
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_FALSE(fs::exists(c.tenants_dir + "/care/ssmix2/" + patient.substr(0, 3)));
  // Registered with consent: the ADT-00 and the consent, one answer.
  r = send_when_known(*c.dm, "POST", "/api/v1/uploads/patients", registration(patient).dump(),
                      "application/json");
  ASSERT_EQ(r.status, 200) << r.body << c.daemon->log();
  json answer = body_of(r);
  EXPECT_EQ(answer["files"][0]["status"], "stored") << r.body;
  EXPECT_EQ(answer["consent"]["authority"], kCareDomain);
  auto rows = pg::transact(*net().pool,
                           [&](pg::Tx& tx) { return tx.exec(kConsentOf, kCareDomain, patient); });
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0].as<std::string>(), "同意書 C-2026-001");
  EXPECT_EQ(rows[0][1].as<std::string>(), "care-dm");
  EXPECT_EQ(rows[0][2].as<std::string>(), kCareOid);
  // The same details again: unchanged at the gateway, the consent not recorded twice.
  r = send_when_known(*c.dm, "POST", "/api/v1/uploads/patients", registration(patient).dump(),
                      "application/json");
  ASSERT_EQ(r.status, 200) << r.body << c.daemon->log();
  EXPECT_EQ(body_of(r)["files"][0]["status"], "unchanged") << r.body;
  // A PDF, then a "PDF" that is none and a document for nobody: refused with the reason.
  const std::string docs = "/api/v1/uploads/documents?patient_id=" + patient +
                           "&title=" + testing::url_encode("診療情報提供書") +
                           "&category=referral&date=2026-12-02";
  r = send_when_known(*c.dm, "POST", docs, kPdf, "application/pdf");
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string document_id = body_of(r)["document_id"];
  r = send_when_known(*c.dm, "POST", docs, "<html>no</html>", "application/pdf");
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_NE(body_of(r)["files"][0].value("reason", "").find("PDF"), std::string::npos) << r.body;
  r = send_when_known(
      *c.dm, "POST",
      "/api/v1/uploads/documents?patient_id=NOBODY1&title=x&category=other&date=2026-12-02", kPdf,
      "application/pdf");
  EXPECT_EQ(r.status, 404) << r.body;
  std::size_t extended = 0;
  for (const auto& e : fs::recursive_directory_iterator(c.tenants_dir + "/care/extended"))
    extended += e.is_regular_file();
  EXPECT_EQ(extended, 1u);
  // The feed (ITI-44) and the locators, all acknowledged: the portal knows the care
  // facility's patient; the secretariat links it to the hospital's (another spelling of the
  // same person). Linking before a later feed arrived would race that feed's matching.
  ASSERT_TRUE(testing::poll_until(
      [&] {
        const json s = c.publish_status();
        return s.is_object() && s["pending"] == 0 && s["acknowledged"].get<int>() > 0;
      },
      std::chrono::seconds(60)))
      << c.publish_status().dump() << c.daemon->log();
  pix::PgIdentityStore identities(*net().pool, {});
  const pix::IdentityKey key{kCareDomain, patient};
  ASSERT_TRUE(identities.find(key).has_value()) << c.daemon->log();
  if (std::to_string(identities.find(key)->person_id) != m.person_id)
    identities.link(key, {testing::kHospitalDomain, m.local_id}, {"care-test", "the same person"});
  ASSERT_EQ(std::to_string(identities.find(key)->person_id), m.person_id);
  // A doctor whose facility the hospital's consent covers sees both facilities' documents.
  const testing::Matrix::User* doctor = nullptr;
  for (const auto& u : m.users) {
    if (!doctor && u.profession == hpd::Profession::kDoctor && u.state == testing::State::kGiven)
      doctor = &u;
  }
  ASSERT_NE(doctor, nullptr);
  testing::Browser b(net().portal->port("web"));
  ASSERT_EQ(b.login(doctor->login, testing::kPassword, m.secret).status, 200);
  json care_doc;
  std::set<std::string> facilities;
  std::string last;
  ASSERT_TRUE(testing::poll_until(
      [&] {
        auto v = b.call("GET", "/api/v1/persons/" + m.person_id + "/documents");
        last = v.body;
        const json page = body_of(v);
        if (!page.is_object() || !page["items"].is_array())
          return false;
        for (const auto& item : page["items"]) {
          facilities.insert(item.value("facility_oid", ""));
          if (item.value("facility_oid", "") == kCareOid)
            care_doc = item;
        }
        return !care_doc.is_null();
      },
      std::chrono::seconds(30)))
      << last << "\nlocator: " << locator_of(patient) << "\n"
      << c.daemon->log();
  EXPECT_EQ(care_doc["title"], "診療情報提供書") << care_doc.dump();
  EXPECT_EQ(care_doc["date"], "2026-12-02");
  EXPECT_GT(facilities.size(), 1u) << last;  // next to the hospital's
  auto file = b.call(
      "GET", "/api/v1/persons/" + m.person_id + "/documents/" + kCareOid + "/" + document_id);
  EXPECT_EQ(file.status, 200) << file.body;
  EXPECT_EQ(file.body, kPdf);
  // Every action on record: the portal's audit and the tenant's own.
  auto audit = pg::transact(*net().pool, [&](pg::Tx& tx) { return tx.exec(kAuditOf); });
  std::set<std::string> reasons;
  for (const auto& row : audit)
    reasons.insert(row[2].as<std::string>());
  for (const char* reason : {"no_consent", "consent_given", "patient_registered",
                             "document_attached", "gateway_422", "gateway_404"})
    EXPECT_TRUE(reasons.contains(reason)) << reason;
  const std::string tenant_audit = testing::read_file(c.tenants_dir + "/care/state/audit.jsonl");
  EXPECT_NE(tenant_audit.find("\"action\":\"document\""), std::string::npos) << tenant_audit;
  EXPECT_NE(tenant_audit.find("\"action\":\"patient\""), std::string::npos);
}

}  // namespace
}  // namespace hareyaka
