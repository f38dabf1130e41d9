// The hosted gateway (issue #17) with the real portal: two tenant facilities in one
// hareyaka-hosted process (a clinic and a pharmacy, each with its own network certificate),
// registered at the portal as ordinary disclosing facilities whose gateway URL is
// /t/<tenant> of the hosted listener. The clinic's data manager uploads a zip of SS-MIX2
// standard storage; the tenant feeds the patient to the portal (ITI-44) with its own
// certificate, and a consented doctor sees the clinic's records in the timeline beside the
// hospital's. Isolation is tried at every layer: another tenant's assertion, another tenant's
// patient, another facility's data manager, an unknown tenant, a path that tries to climb
// out; a malformed upload is rejected with its report and leaves nothing; a kill -9 and
// restart keep what was acknowledged.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "common/assertion.hpp"
#include "pix/pg_identity_store.hpp"
#include "tests/gateway/hosted/zip_writer.hpp"
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

constexpr const char* kClinicOid = "1.2.392.200284.33.2100001";
constexpr const char* kClinicDomain = "1.2.392.200284.33.2100001.1";
constexpr const char* kPharmacyOid = "1.2.392.200284.33.2100002";

struct Hosted {
  std::unique_ptr<testing::Daemon> daemon;
  std::string tenants_dir;
  std::string generated;  // the generated storage the clinic exports from
  std::string zip;  // the matrix patient's files, as the clinic's conversion tool exports them
  std::unique_ptr<http::BlockingHttpClient> as_portal;
  std::unique_ptr<testing::Browser> clinic_dm, pharmacy_dm;
  std::unique_ptr<testing::Browser> doctor;  // logged in by the first test
  std::string viewer_facility;               // the doctor's

  static Hosted& get() {
    static Hosted h;
    return h;
  }
  Hosted() {
    auto& m = matrix();
    const auto& pki = dev_pki();
    const std::string dir = net().tmp.path() + "/hosted";
    tenants_dir = dir + "/tenants";
    json config{{"assertion_public_key", pki.dir + "/assertion.pub"},
                {"node_readers", {testing::cert_fingerprint(pki.cert("portal"))}},
                {"listener", testing::dev_listener("hosted", 0, "require")},
                {"tenants_dir", tenants_dir},
                {"state_dir", dir + "/state"},
                {"portal", {{"url", net().portal->url("nodes", "")}, {"ca_file", pki.ca()}}},
                {"directory", {{"pull_interval_ms", 500}}},
                {"tenants",
                 {{{"id", "clinic"},
                   {"facility_oid", kClinicOid},
                   {"cert_file", pki.cert("tenant-a")},
                   {"key_file", pki.key("tenant-a")},
                   {"quota_mb", 64}},
                  {{"id", "pharmacy"},
                   {"facility_oid", kPharmacyOid},
                   {"cert_file", pki.cert("tenant-b")},
                   {"key_file", pki.key("tenant-b")},
                   {"quota_mb", 64}}}}};
    daemon = std::make_unique<testing::Daemon>("gateway/hosted/hareyaka-hosted", config, "hosted");
    const std::string base = daemon->url("nodes", "");
    for (const auto& [oid, id, cert, name] :
         {std::tuple{kClinicOid, "clinic", "tenant-a", "はれやか内科クリニック"},
          std::tuple{kPharmacyOid, "pharmacy", "tenant-b", "はれやか薬局"}}) {
      auto r =
          net().admin->call("POST", "/api/v1/admin/facilities",
                            {{"oid", oid},
                             {"name", name},
                             {"kind", std::string(id) == "clinic" ? "clinic" : "pharmacy"},
                             {"discloses", true},
                             {"views", false},
                             {"gateway_url", base + "/t/" + id},
                             {"gateway_cert_sha256", testing::cert_fingerprint(pki.cert(cert))}});
      if (r.status != 201)
        throw std::runtime_error("tenant facility: " + r.body);
    }
    // The clinic's data manager and the pharmacy's (施設データ管理者), logged in at the portal.
    testing::add_user("clinic-dm", kClinicOid, "data_manager");
    testing::add_user("pharmacy-dm", kPharmacyOid, "data_manager");
    clinic_dm = std::make_unique<testing::Browser>(net().portal->port("web"));
    testing::enrol(*clinic_dm, "clinic-dm");
    pharmacy_dm = std::make_unique<testing::Browser>(net().portal->port("web"));
    testing::enrol(*pharmacy_dm, "pharmacy-dm");
    // The clinic holds the matrix patient too: the same generated storage as the hospital's,
    // its folder only.
    const std::string gen = generated = dir + "/generated";
    testing::run_checked({testing::binary_path("gateway/hareyaka-ssmix2-gen"), "--out", gen,
                          "--patients", "4", "--visits", "14", "--seed", "5"});
    const std::string id = m.local_id;
    const std::string folder = id.substr(0, 3) + "/" + id.substr(3, 3) + "/" + id;
    zip = testing::make_zip(testing::entries_of_tree(gen + "/" + folder, "export/" + folder + "/"));
    http::ClientSettings cs;
    cs.tls = {.ca_file = pki.ca(), .cert_file = pki.cert("portal"), .key_file = pki.key("portal")};
    as_portal = std::make_unique<http::BlockingHttpClient>(cs);
    if (!testing::poll_until(
            [&] {
              return as_portal->request({.url = daemon->url("nodes", "/readyz")}).status == 200;
            },
            std::chrono::seconds(60)))
      throw std::runtime_error("hosted gateway not ready:\n" + daemon->log());
  }

  // A request to a tenant's route as the portal, with an assertion it signed.
  http::ClientResponse call(const std::string& tenant, const std::string& method,
                            const std::string& path, const AccessAssertion& a,
                            std::string body = "", const std::string& type = "") {
    static AssertionSigner signer(dev_pki().dir + "/assertion.key",
                                  testing::cert_fingerprint(dev_pki().cert("portal")));
    AccessAssertion signed_a = a;
    signed_a.issued_at = unix_now() - 1;
    signed_a.expires_at = unix_now() + 60;
    http::ClientRequest r{.method = method,
                          .url = daemon->url("nodes", "/t/" + tenant + path),
                          .body = std::move(body),
                          .timeout = std::chrono::seconds(60)};
    r.headers[kAssertionHeader] = signer.sign(signed_a);
    if (!type.empty())
      r.headers["Content-Type"] = type;
    return as_portal->request(r);
  }
  static AccessAssertion uploader(const std::string& login, const std::string& facility,
                                  const std::string& audience) {
    return {.user = login,
            .profession = "data_manager",
            .facility_oid = facility,
            .audience = audience,
            .category = "upload",
            .purpose = "upload",
            .request_id = "hosted-test"};
  }
  // As a doctor of the directory (the matrix's first doctor).
  static AccessAssertion reader(const std::string& audience, const std::string& authority,
                                const std::string& local_id, const std::string& category) {
    const testing::Matrix::User* doctor = nullptr;
    for (const auto& u : matrix().users) {
      if (!doctor && u.profession == hpd::Profession::kDoctor)
        doctor = &u;
    }
    return {.user = doctor->login,
            .profession = "doctor",
            .facility_oid = matrix().facility.at({doctor->kind, doctor->state}),
            .audience = audience,
            .authority = authority,
            .local_id = local_id,
            .category = category,
            .request_id = "hosted-test"};
  }
  json publish_status(const std::string& tenant) {
    auto r =
        as_portal->request({.url = daemon->url("nodes", "/t/" + tenant + "/gw/v1/publish/status")});
    return body_of(r);
  }
  std::size_t files_of(const std::string& tenant) const {
    std::size_t n = 0;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(tenants_dir + "/" + tenant + "/ssmix2", ec);
         it != fs::recursive_directory_iterator(); ++it)
      n += it->is_regular_file();
    return n;
  }
};

// Through the portal as the data manager (the portal signs the upload assertion); the hosted
// gateway's directory copy must know the data manager first.
http::ClientResponse upload_when_known(testing::Browser& b, const std::string& path,
                                       const std::string& body, const std::string& type) {
  http::ClientResponse r;
  testing::poll_until(
      [&] {
        r = b.send("POST", path, body, type);
        return r.status != 403 || r.body.find("directory") == std::string::npos;
      },
      std::chrono::seconds(20));
  return r;
}

TEST(Hosted, AClinicsUploadReachesAConsentedDoctorsTimeline) {
  auto& h = Hosted::get();
  auto& m = matrix();
  auto r = upload_when_known(*h.clinic_dm, "/api/v1/uploads/ssmix2", h.zip, "application/zip");
  ASSERT_EQ(r.status, 200) << r.body << h.daemon->log();
  const json report = body_of(r);
  EXPECT_TRUE(report["accepted"].get<bool>());
  EXPECT_GT(report["stored"].get<int>(), 5);
  const std::size_t stored = h.files_of("clinic");
  EXPECT_EQ(stored, report["stored"].get<std::size_t>());
  // The tenant feeds its patient to the portal with its own certificate, then its locator.
  ASSERT_TRUE(testing::poll_until(
      [&] {
        auto s = h.publish_status("clinic");
        return s.is_object() && s["pending"] == 0 && s["acknowledged"].get<int>() > 0;
      },
      std::chrono::seconds(60)))
      << h.publish_status("clinic").dump() << h.daemon->log();
  // The portal registered the clinic's identity from the feed; the secretariat links it to the
  // hospital's when the matcher only proposed it (the same generated demographics).
  pix::PgIdentityStore identities(*net().pool, {});
  const pix::IdentityKey clinic_key{kClinicDomain, m.local_id};
  auto fed = identities.find(clinic_key);
  ASSERT_TRUE(fed.has_value()) << "the clinic's ITI-44 feed did not register the patient";
  if (std::to_string(fed->person_id) != m.person_id) {
    identities.link(clinic_key, {testing::kHospitalDomain, m.local_id},
                    {"hosted-test", "the same patient at the clinic"});
  }
  // A doctor of a facility no hospital consent covers: the clinic's consent alone.
  const testing::Matrix::User* doctor = nullptr;
  for (const auto& u : m.users) {
    if (u.profession == hpd::Profession::kDoctor && u.state == testing::State::kNone &&
        u.kind == hpd::FacilityKind::kClinic)
      doctor = &u;
  }
  ASSERT_NE(doctor, nullptr);
  const std::string viewer = m.facility.at({doctor->kind, doctor->state});
  auto c = net().admin->call(
      "POST", "/api/v1/admin/consents",
      {{"authority", kClinicDomain}, {"local_id", m.local_id}, {"viewer_facility_oid", viewer}});
  ASSERT_EQ(c.status, 201) << c.body;
  h.doctor = std::make_unique<testing::Browser>(net().portal->port("web"));
  h.viewer_facility = viewer;
  testing::Browser& b = *h.doctor;
  ASSERT_EQ(b.login(doctor->login, testing::kPassword, m.secret).status, 200);
  // The patient as the portal knows them: the clinic's identity is linked to the person.
  json items;
  std::string last;
  ASSERT_TRUE(testing::poll_until(
      [&] {
        auto v = b.call("GET", "/api/v1/persons/" + m.person_id + "/prescriptions");
        last = v.body;
        items = body_of(v)["items"];
        return v.status == 200 && items.is_array() && !items.empty();
      },
      std::chrono::seconds(30)))
      << last;
  for (const auto& item : items)
    EXPECT_EQ(item["facility_oid"], kClinicOid) << item.dump();  // no hospital consent here
  // The tenant's own audit names the viewer's request.
  const std::string audit = testing::read_file(h.tenants_dir + "/clinic/state/audit.jsonl");
  EXPECT_NE(audit.find("\"event\":\"upload\""), std::string::npos);
  EXPECT_NE(audit.find(doctor->login), std::string::npos);
}

TEST(Hosted, APharmacysDispensingsReachTheTimelineAsDispensedMedications) {
  auto& h = Hosted::get();
  auto& m = matrix();
  ASSERT_TRUE(h.doctor) << "runs after the clinic's test";
  const std::string csv =
      testing::read_file(std::string(HAREYAKA_TEST_DATA_DIR) + "/jahis/simple.csv");
  const std::string patient = "P" + m.local_id;  // the pharmacy's own id for the patient
  const std::string path = "/api/v1/uploads/jahis?patient_id=" + patient;
  auto r = upload_when_known(*h.pharmacy_dm, path, csv, "text/csv");
  ASSERT_EQ(r.status, 200) << r.body << h.daemon->log();
  json report = body_of(r);
  EXPECT_EQ(report["stored"], 1);
  // A patient new to the pharmacy: registered from the notebook as an ADT-00.
  EXPECT_NE(report["files"][0].value("path", "").find("/ADT-00/"), std::string::npos)
      << report.dump();
  r = h.pharmacy_dm->send("POST", path, csv, "text/csv");
  EXPECT_EQ(body_of(r)["unchanged"], 1) << r.body;
  // The report is kept with the facility's others.
  r = h.call("pharmacy", "GET", "/gw/v1/uploads",
             Hosted::uploader("pharmacy-dm", kPharmacyOid, kPharmacyOid));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body_of(r)["items"][0]["unchanged"], 1) << r.body;
  // A malformed file: rejected with its line, nothing kept.
  r = h.pharmacy_dm->send("POST", path, "JAHISTC08,1\n201,1,薬,1,錠,1,,1\n", "text/csv");
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_NE(body_of(r)["files"][0].value("reason", "").find("line 2"), std::string::npos) << r.body;
  ASSERT_TRUE(testing::poll_until(
      [&] {
        auto s = h.publish_status("pharmacy");
        return s.is_object() && s["pending"] == 0 && s["acknowledged"].get<int>() > 0;
      },
      std::chrono::seconds(60)))
      << h.publish_status("pharmacy").dump();
  // The secretariat links the pharmacy's patient (another name spelling in the notebook) to
  // the person; the patient consents to the doctor's facility at the pharmacy.
  pix::PgIdentityStore identities(*net().pool, {});
  const pix::IdentityKey key{std::string(kPharmacyOid) + ".1", patient};
  ASSERT_TRUE(identities.find(key).has_value());
  identities.link(key, {testing::kHospitalDomain, m.local_id},
                  {"hosted-test", "the same patient at the pharmacy"});
  auto c = net().admin->call("POST", "/api/v1/admin/consents",
                             {{"authority", key.authority},
                              {"local_id", patient},
                              {"viewer_facility_oid", h.viewer_facility}});
  ASSERT_EQ(c.status, 201) << c.body;
  json dispensed;
  std::string last;
  ASSERT_TRUE(testing::poll_until(
      [&] {
        auto v = h.doctor->call("GET", "/api/v1/persons/" + m.person_id + "/prescriptions");
        last = v.body;
        const json page = body_of(v);
        if (!page.is_object() || !page["items"].is_array())
          return false;
        for (const auto& item : page["items"]) {
          if (item["facility_oid"] == kPharmacyOid)
            dispensed = item;
        }
        return !dispensed.is_null();
      },
      std::chrono::seconds(30)))
      << last;
  EXPECT_EQ(dispensed["prescription_types"][0]["code"], "dispensed") << dispensed.dump();
  EXPECT_NE(dispensed["drug"].value("display", "").find("アムロジピン"), std::string::npos)
      << dispensed.dump();
  EXPECT_EQ(dispensed["date"], "2026-12-01");
}

// The FHIR way in: the clinic's data manager sends a JP-CLINS 診療情報提供書 for the patient it
// holds; the consented doctor sees its diagnosis in the timeline and downloads the document.
TEST(Hosted, AClinicsFhirReferralReachesTheDoctorsDiagnosesAndDocuments) {
  auto& h = Hosted::get();
  auto& m = matrix();
  ASSERT_TRUE(h.doctor) << "runs after the clinic's test";
  json bundle =
      json::parse(testing::read_file(std::string(HAREYAKA_TEST_DATA_DIR) + "/fhir/ereferral.json"));
  bundle["entry"][1]["resource"]["identifier"][0]["value"] = m.local_id;
  json& coding = bundle["entry"][3]["resource"]["code"]["coding"][1];  // the MEDIS coding
  coding["code"] = "ZFH1";  // a code no generated SS-MIX2 file has
  coding["display"] = "FHIR経由の病名";
  const std::string body = bundle.dump();
  const std::string path = "/api/v1/uploads/fhir?patient_id=" + m.local_id;
  // One bad entry: refused with its entry named, nothing kept.
  json bad = bundle;
  bad["entry"][3]["resource"].erase("code");
  auto r = upload_when_known(*h.clinic_dm, path, bad.dump(), "application/fhir+json");
  ASSERT_EQ(r.status, 422) << r.body << h.daemon->log();
  EXPECT_NE(r.body.find("entry 3 Condition"), std::string::npos) << r.body;
  EXPECT_FALSE(fs::exists(h.tenants_dir + "/clinic/received/fhir/" + m.local_id));
  r = h.clinic_dm->send("POST", path, body, "application/fhir+json");
  ASSERT_EQ(r.status, 200) << r.body << h.daemon->log();
  EXPECT_TRUE(body_of(r)["accepted"].get<bool>()) << r.body;
  EXPECT_EQ(r.body.find("/ADT-00/"), std::string::npos) << "the patient was held already";
  json diagnosis;
  std::string last;
  ASSERT_TRUE(testing::poll_until(
      [&] {
        auto v = h.doctor->call("GET", "/api/v1/persons/" + m.person_id + "/diagnoses");
        last = v.body;
        const json page = body_of(v);
        if (!page.is_object() || !page["items"].is_array())
          return false;
        for (const auto& item : page["items"]) {
          if (item["facility_oid"] == kClinicOid && item["name"].value("code", "") == "ZFH1")
            diagnosis = item;
        }
        return !diagnosis.is_null();
      },
      std::chrono::seconds(60)))
      << last;
  EXPECT_EQ(diagnosis["name"]["system"], "MDCDX2") << diagnosis.dump();
  EXPECT_EQ(diagnosis["icd10"]["code"], "E11.9") << diagnosis.dump();
  auto v = h.doctor->call("GET", "/api/v1/persons/" + m.person_id + "/documents");
  ASSERT_EQ(v.status, 200) << v.body;
  std::string document_id;
  const json documents = body_of(v);
  for (const auto& item : documents["items"]) {
    if (item["facility_oid"] == kClinicOid &&
        item.value("media_type", "") == "application/fhir+json")
      document_id = item.value("id", "");
  }
  ASSERT_FALSE(document_id.empty()) << v.body;
  v = h.doctor->call(
      "GET", "/api/v1/persons/" + m.person_id + "/documents/" + kClinicOid + "/" + document_id);
  ASSERT_EQ(v.status, 200) << v.body;
  EXPECT_EQ(v.body, body);
  // The tenant's local audit has the FHIR upload (action "fhir").
  const std::string audit = testing::read_file(h.tenants_dir + "/clinic/state/audit.jsonl");
  EXPECT_NE(audit.find("\"fhir\""), std::string::npos);
}

TEST(Hosted, ATenantCannotReadOrWriteAnothersData) {
  auto& h = Hosted::get();
  auto& m = matrix();
  ASSERT_GT(h.files_of("clinic"), 0u) << "runs after the upload test";
  const std::size_t pharmacy_files = h.files_of("pharmacy");
  const std::string pharmacy_domain = std::string(kPharmacyOid) + ".1";
  // HTTP: an assertion for the clinic presented at the pharmacy's routes.
  auto r = h.call("pharmacy", "GET", "/gw/v1/patients/" + m.local_id + "/prescriptions",
                  Hosted::reader(kClinicOid, kClinicDomain, m.local_id, "prescriptions"));
  EXPECT_EQ(r.status, 403) << r.body;
  // Index: the pharmacy asked properly for the clinic's patient id holds nothing of it.
  r = h.call("pharmacy", "GET", "/gw/v1/patients/" + m.local_id,
             Hosted::reader(kPharmacyOid, pharmacy_domain, m.local_id, "demographics"));
  EXPECT_EQ(r.status, 404) << r.body;
  r = h.call("pharmacy", "GET", "/gw/v1/patients/" + m.local_id + "/prescriptions",
             Hosted::reader(kPharmacyOid, pharmacy_domain, m.local_id, "prescriptions"));
  EXPECT_TRUE(r.status == 404 || body_of(r)["items"].empty()) << r.body;
  // File paths: a patient id or document that climbs out of the tenant's folder.
  for (const std::string& path :
       {std::string("/gw/v1/patients/..%2F..%2Fclinic%2Fssmix2/prescriptions"),
        "/gw/v1/patients/" + m.local_id +
            "/documents/..%2F..%2F..%2Fclinic%2Fstate%2Faudit.jsonl"}) {
    r = h.call("pharmacy", "GET", path,
               Hosted::reader(kPharmacyOid, pharmacy_domain, m.local_id, "documents"));
    EXPECT_TRUE(r.status == 403 || r.status == 404) << path << " " << r.status << r.body;
    EXPECT_EQ(r.body.find("\"event\""), std::string::npos);
  }
  // Writes: the clinic's data manager at the pharmacy, and the pharmacy's at the clinic.
  r = h.call("pharmacy", "POST", "/gw/v1/uploads/ssmix2",
             Hosted::uploader("clinic-dm", kClinicOid, kClinicOid), h.zip, "application/zip");
  EXPECT_EQ(r.status, 403) << r.body;
  r = h.call("clinic", "POST", "/gw/v1/uploads/ssmix2",
             Hosted::uploader("pharmacy-dm", kPharmacyOid, kClinicOid), h.zip, "application/zip");
  EXPECT_EQ(r.status, 403) << r.body;
  // A doctor's read assertion is no upload assertion.
  r = h.call("clinic", "POST", "/gw/v1/uploads/ssmix2",
             Hosted::reader(kClinicOid, kClinicDomain, m.local_id, "upload"), h.zip,
             "application/zip");
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(h.files_of("pharmacy"), pharmacy_files);
  // An unknown tenant.
  r = h.call("nobody", "GET", "/gw/v1/patients/" + m.local_id,
             Hosted::reader(kPharmacyOid, pharmacy_domain, m.local_id, "demographics"));
  EXPECT_EQ(r.status, 404);
}

TEST(Hosted, AMalformedUploadIsRejectedWithItsReportAndLeavesNothing) {
  auto& h = Hosted::get();
  const std::size_t before = h.files_of("pharmacy");
  auto entries = testing::ZipEntries{
      {"x/999/901/9999013/20110701/OMP-01/9999013_20110701_OMP-01_1_20110701224603984_01_1",
       "MSH|^~\\&|broken\r"}};
  auto r = upload_when_known(*h.pharmacy_dm, "/api/v1/uploads/ssmix2", testing::make_zip(entries),
                             "application/zip");
  EXPECT_EQ(r.status, 422) << r.body;
  const json report = body_of(r);
  EXPECT_FALSE(report["accepted"].get<bool>());
  ASSERT_EQ(report["files"].size(), 1u);
  EXPECT_EQ(report["files"][0]["status"], "rejected");
  r = h.call("pharmacy", "POST", "/gw/v1/uploads/ssmix2",
             Hosted::uploader("pharmacy-dm", kPharmacyOid, kPharmacyOid), "not a zip",
             "application/zip");
  EXPECT_EQ(r.status, 422);
  EXPECT_NE(body_of(r)["error"].get<std::string>().find("zip"), std::string::npos);
  r = h.call("pharmacy", "POST", "/gw/v1/uploads/ssmix2",
             Hosted::uploader("pharmacy-dm", kPharmacyOid, kPharmacyOid), h.zip, "text/plain");
  EXPECT_EQ(r.status, 415);
  EXPECT_EQ(h.files_of("pharmacy"), before);
  // The reports are there for the facility's page.
  r = h.call("pharmacy", "GET", "/gw/v1/uploads",
             Hosted::uploader("pharmacy-dm", kPharmacyOid, kPharmacyOid));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_GE(body_of(r)["items"].size(), 2u);
}

TEST(Hosted, AKillDuringAnUploadKeepsItWholeOrNotAtAll) {
  auto& h = Hosted::get();
  const std::size_t before = h.files_of("clinic");
  ASSERT_GT(before, 0u) << "runs after the first upload";
  // The other generated patients, in one upload, killed while it is being sent or stored.
  auto entries = testing::entries_of_tree(h.generated, "export/");
  const std::string id = matrix().local_id;
  std::erase_if(entries,
                [&](const auto& e) { return e.first.find("/" + id + "/") != std::string::npos; });
  ASSERT_GT(entries.size(), 20u);
  const std::string zip = testing::make_zip(entries);
  std::thread uploader([&] {
    try {
      h.call("clinic", "POST", "/gw/v1/uploads/ssmix2",
             Hosted::uploader("clinic-dm", kClinicOid, kClinicOid), zip, "application/zip");
    } catch (const std::exception&) {
      // the connection dies with the process
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  h.daemon->child().kill9();
  uploader.join();
  h.daemon->restart();
  ASSERT_TRUE(testing::poll_until(
      [&] {
        return h.as_portal->request({.url = h.daemon->url("nodes", "/readyz")}).status == 200;
      },
      std::chrono::seconds(60)))
      << h.daemon->log();
  const std::size_t after = h.files_of("clinic");
  EXPECT_TRUE(after == before || after == before + entries.size())
      << before << " then " << after << " of " << entries.size();
  // No staging is left behind.
  std::size_t leftovers = 0;
  for (const auto& e : fs::directory_iterator(h.tenants_dir + "/clinic/uploads"))
    leftovers += e.path().filename() != "reports";
  EXPECT_EQ(leftovers, 0u);
  auto r = h.as_portal->request({.url = h.daemon->url("nodes", "/hosted/v1/tenants")});
  ASSERT_EQ(r.status, 200) << r.body;
  const json tenants = body_of(r);
  ASSERT_EQ(tenants["items"].size(), 2u);
  EXPECT_EQ(tenants["items"][0]["files"].get<std::size_t>(), after);
}

}  // namespace
}  // namespace hareyaka
