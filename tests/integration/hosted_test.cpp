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

#include "tests/integration/hosted_network.hpp"

namespace hareyaka {

// The clinic and the pharmacy only, next to the trust network's hospital.
hosted_testing::Shape hosted_testing::hosted_shape() {
  return {};
}

namespace {

using namespace hosted_testing;

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
  // The patient was held already, with other details than the referral's Patient: those are
  // the clinic's record of the patient now, a newer ADT-00.
  const json accepted = body_of(r);
  EXPECT_NE(accepted["files"][0].value("path", "").find("/ADT-00/"), std::string::npos) << r.body;
  EXPECT_EQ(accepted["files"][0].value("reason", ""), "updated") << r.body;
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

// The tenant page: a data manager lists what the facility discloses and withdraws a record;
// the doctor no longer sees it, and nothing is deleted (the file stays, hidden by a deletion
// file; a pharmacy's notebook file is kept renamed).
TEST(Hosted, ADataManagerWithdrawsARecordAndNothingIsDeleted) {
  auto& h = Hosted::get();
  auto& m = matrix();
  ASSERT_TRUE(h.doctor) << "runs after the clinic's and the pharmacy's tests";
  auto r = h.clinic_dm->call("GET", "/api/v1/uploads/patients");
  ASSERT_EQ(r.status, 200) << r.body;
  const json patients = body_of(r)["items"];
  ASSERT_FALSE(patients.empty()) << r.body;
  EXPECT_EQ(patients[0]["patient_id"], m.local_id);
  EXPECT_GT(patients[0]["records"].get<int>(), 5);
  r = h.clinic_dm->call("GET", "/api/v1/uploads/patients/" + m.local_id);
  ASSERT_EQ(r.status, 200) << r.body;
  std::string withdrawn, registration;
  const json detail = body_of(r);
  for (const auto& rec : detail["records"]) {
    if (withdrawn.empty() && rec["data_type"] == "OMP-01")
      withdrawn = rec["path"].get<std::string>();
    if (rec["data_type"] == "ADT-00")
      registration = rec["path"].get<std::string>();
  }
  ASSERT_FALSE(withdrawn.empty()) << r.body.substr(0, 1500);
  // Who shows the record: the clinic's prescriptions in the doctor's view name their file.
  auto shown = [&](const std::string& facility, const std::string& file) {
    const json page =
        body_of(h.doctor->call("GET", "/api/v1/persons/" + m.person_id + "/prescriptions"));
    int n = 0;
    for (const auto& item : page.value("items", json::array())) {
      if (item["facility_oid"] == facility &&
          item.value("source", json::object()).value("file", "").find(file) != std::string::npos)
        ++n;
    }
    return n;
  };
  ASSERT_GT(shown(kClinicOid, withdrawn), 0);
  // A doctor has no tenant page; another facility's data manager cannot withdraw here.
  EXPECT_EQ(h.doctor->call("GET", "/api/v1/uploads/patients").status, 403);
  r = h.call("clinic", "POST", "/gw/v1/uploads/withdraw",
             Hosted::uploader("pharmacy-dm", kPharmacyOid, kClinicOid),
             json{{"patient_id", m.local_id}, {"path", withdrawn}, {"reason", "x"}}.dump(),
             "application/json");
  EXPECT_EQ(r.status, 403) << r.body;
  // The registration is corrected by a new one, never withdrawn; a reason is required.
  r = h.clinic_dm->call("POST", "/api/v1/uploads/withdraw",
                        {{"patient_id", m.local_id}, {"path", registration}, {"reason", "誤登録"}});
  EXPECT_EQ(r.status, 422) << r.body;
  r = h.clinic_dm->call("POST", "/api/v1/uploads/withdraw",
                        {{"patient_id", m.local_id}, {"path", withdrawn}});
  EXPECT_EQ(r.status, 422) << r.body;
  r = h.clinic_dm->call(
      "POST", "/api/v1/uploads/withdraw",
      {{"patient_id", m.local_id}, {"path", withdrawn}, {"reason", "別患者の処方"}});
  ASSERT_EQ(r.status, 200) << r.body;
  const json report = body_of(r);
  EXPECT_EQ(report["files"][0]["status"], "withdrawn");
  const std::string deletion = report["files"][0]["path"];
  EXPECT_TRUE(deletion.ends_with("_0")) << deletion;
  EXPECT_EQ(shown(kClinicOid, withdrawn), 0);
  // Kept: the file and the deletion file beside it; the withdrawal is on record.
  EXPECT_TRUE(fs::exists(h.tenants_dir + "/clinic/ssmix2/" + withdrawn));
  EXPECT_TRUE(fs::exists(h.tenants_dir + "/clinic/ssmix2/" + deletion));
  r = h.clinic_dm->call("POST", "/api/v1/uploads/withdraw",
                        {{"patient_id", m.local_id}, {"path", withdrawn}, {"reason", "again"}});
  EXPECT_EQ(r.status, 404) << r.body;
  r = h.call("clinic", "GET", "/gw/v1/uploads",
             Hosted::uploader("clinic-dm", kClinicOid, kClinicOid));
  EXPECT_EQ(body_of(r)["items"][0]["files"][0]["status"], "withdrawn") << r.body;
  EXPECT_NE(testing::read_file(h.tenants_dir + "/clinic/state/audit.jsonl").find("withdraw"),
            std::string::npos);

  // The pharmacy's notebook file.
  const std::string patient = "P" + m.local_id;
  r = h.pharmacy_dm->call("GET", "/api/v1/uploads/patients/" + patient);
  ASSERT_EQ(r.status, 200) << r.body;
  const json files = body_of(r)["dispensing_files"];
  ASSERT_EQ(files.size(), 1u) << r.body;
  const std::string file = files[0]["file"];
  ASSERT_GT(shown(kPharmacyOid, ""), 0);
  r = h.pharmacy_dm->call("POST", "/api/v1/uploads/withdraw",
                          {{"patient_id", patient}, {"file", file}, {"reason", "調剤取消"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(shown(kPharmacyOid, ""), 0);
  EXPECT_TRUE(fs::exists(h.tenants_dir + "/pharmacy/received/jahis/" + patient + "/" + file +
                         ".withdrawn"));
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

// Deleting a tenant: its locator entries leave the portal, its folder the disk; a deleted
// tenant still configured is refused at start, and the others are untouched.
TEST(Hosted, ADeletedTenantLeavesTheNetworkAndTheDisk) {
  auto& h = Hosted::get();
  const auto& pki = dev_pki();
  http::ClientSettings cs;
  cs.tls = {
      .ca_file = pki.ca(), .cert_file = pki.cert("tenant-b"), .key_file = pki.key("tenant-b")};
  http::BlockingHttpClient as_pharmacy(cs);
  auto locators = [&] {
    auto r = as_pharmacy.request({.url = net().portal->url("nodes", "/api/gw/v1/locators")});
    return body_of(r)["items"].size();
  };
  ASSERT_GT(locators(), 0u) << "runs after the pharmacy's upload";
  const std::size_t clinic_files = h.files_of("clinic");
  const std::vector<std::string> command{testing::binary_path("gateway/hosted/hareyaka-hosted"),
                                         "delete-tenant",
                                         "--config",
                                         h.daemon->config_path(),
                                         "--tenant",
                                         "pharmacy"};
  // Not while the daemon serves it.
  auto run = testing::run(command);
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("stop it first"), std::string::npos) << run.output;
  EXPECT_TRUE(fs::exists(h.tenants_dir + "/pharmacy"));
  h.daemon->stop();
  run = testing::run(command);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const json report = json::parse(run.output);
  EXPECT_GT(report["locators_removed"].get<int>(), 0) << run.output;
  EXPECT_EQ(locators(), 0u);
  EXPECT_FALSE(fs::exists(h.tenants_dir + "/pharmacy"));
  EXPECT_TRUE(fs::exists(h.tenants_dir + "/pharmacy.deleted"));
  // Still configured: refused with the reason.
  EXPECT_THROW(h.daemon->restart(), std::runtime_error);
  EXPECT_NE(h.daemon->log().find("was deleted"), std::string::npos) << h.daemon->log();
  json config = h.config;
  config["tenants"].erase(1);
  h.daemon->rewrite(config);
  h.daemon->restart();
  ASSERT_TRUE(testing::poll_until(
      [&] {
        return h.as_portal->request({.url = h.daemon->url("nodes", "/readyz")}).status == 200;
      },
      std::chrono::seconds(60)))
      << h.daemon->log();
  auto r = h.as_portal->request({.url = h.daemon->url("nodes", "/hosted/v1/tenants")});
  const json tenants = body_of(r);
  ASSERT_EQ(tenants["items"].size(), 1u) << r.body;
  EXPECT_EQ(tenants["items"][0]["id"], "clinic");
  EXPECT_EQ(h.files_of("clinic"), clinic_files);
}

}  // namespace
}  // namespace hareyaka
