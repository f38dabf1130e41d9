// The hosted gateway's three kinds of tenant (issue #17) in one doctor's view: a clinic
// uploading SS-MIX2 (a zip), a pharmacy uploading JAHIS records and a care facility using the
// web form (a patient registered with consent, a PDF attached) are tenants of one
// hareyaka-hosted; their patient is the patient of two hospitals, each with its own
// hareyaka-gateway. A consented doctor sees the records of all five facilities through the
// real portal; the care tenant's data manager and assertions reach no other tenant's data.
// Then a kill -9 during a FHIR upload and during a web-form document: after the restart the
// upload is there whole or not at all, no temporary or staged file is left anywhere under the
// tenant's folder, and the tenant still serves. (Portal-to-tenant traffic comes first: a
// restarted daemon listens on new ports, so the portal's gateway URLs go stale.)
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <map>

#include "tests/integration/hosted_network.hpp"

namespace hareyaka {

hosted_testing::Shape hosted_testing::hosted_shape() {
  return {.care = true, .second_hospital = true};
}

namespace {

using namespace hosted_testing;

const std::string kPdf = "%PDF-1.4\n% care facility referral\n1 0 obj <<>> endobj\n%%EOF\n";

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
          {"consent_document_ref", "同意書 C-2026-002"},
          {"consent_date", "2026-12-01"}};
}

std::string care_patient() {
  return "C" + matrix().local_id;
}

void wait_published(Hosted& h, const std::string& tenant) {
  ASSERT_TRUE(testing::poll_until(
      [&] {
        const json s = h.publish_status(tenant);
        return s.is_object() && s["pending"] == 0 && s["acknowledged"].get<int>() > 0;
      },
      std::chrono::seconds(60)))
      << tenant << ": " << h.publish_status(tenant).dump() << h.daemon->log();
}

using testing::files_under;

// The names of temporaries (.tmp-*) anywhere under a folder of a tenant.
std::string temporaries_under(const std::string& dir) {
  std::string out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->path().filename().string().rfind(".tmp-", 0) == 0)
      out += it->path().string() + "\n";
  }
  return out;
}

// Kills the daemon while `send` runs on another thread, then restarts it and waits until it
// serves again. Returns the status of the answer when one came before the kill, else 0.
int kill_during(Hosted& h, const std::function<int()>& send,
                const std::function<void()>& before_restart) {
  std::atomic<int> answered = 0;
  std::thread uploader([&] {
    try {
      answered = send();
    } catch (const std::exception&) {
      // the connection dies with the process
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(40));
  h.daemon->child().kill9();
  uploader.join();
  before_restart();
  h.daemon->restart();
  EXPECT_TRUE(testing::poll_until(
      [&] {
        return h.as_portal->request({.url = h.daemon->url("nodes", "/readyz")}).status == 200;
      },
      std::chrono::seconds(60)))
      << h.daemon->log();
  return answered;
}

TEST(HostedThreeKinds, TheThreeKindsOfTenantAppearInOneTimelineNextToTwoHospitals) {
  auto& h = Hosted::get();
  auto& m = matrix();
  // The clinic: a zip of its SS-MIX2 storage.
  auto r = upload_when_known(*h.clinic_dm, "/api/v1/uploads/ssmix2", h.zip, "application/zip");
  ASSERT_EQ(r.status, 200) << r.body << h.daemon->log();
  EXPECT_GT(body_of(r)["stored"].get<int>(), 5) << r.body;
  // The pharmacy: its JAHIS notebook records of the patient.
  const std::string pharmacy_patient = "P" + m.local_id;
  r = upload_when_known(
      *h.pharmacy_dm, "/api/v1/uploads/jahis?patient_id=" + pharmacy_patient,
      testing::read_file(std::string(HAREYAKA_TEST_DATA_DIR) + "/jahis/simple.csv"), "text/csv");
  ASSERT_EQ(r.status, 200) << r.body << h.daemon->log();
  EXPECT_EQ(body_of(r)["stored"], 1) << r.body;
  // The care facility: the patient registered with consent on the web form, a PDF attached.
  r = upload_when_known(*h.care_dm, "/api/v1/uploads/patients", registration(care_patient()).dump(),
                        "application/json");
  ASSERT_EQ(r.status, 200) << r.body << h.daemon->log();
  r = upload_when_known(*h.care_dm,
                        "/api/v1/uploads/documents?patient_id=" + care_patient() +
                            "&title=" + testing::url_encode("介護サマリー") +
                            "&category=care_record&date=2026-12-02",
                        kPdf, "application/pdf");
  ASSERT_EQ(r.status, 200) << r.body << h.daemon->log();
  const std::string care_document = body_of(r).value("document_id", "");
  ASSERT_FALSE(care_document.empty()) << r.body;
  // Every feed and locator acknowledged before the secretariat links the identities (a link
  // before a later feed would race that feed's matching).
  for (const char* tenant : {"clinic", "pharmacy", "care"})
    wait_published(h, tenant);
  pix::PgIdentityStore identities(*net().pool, {});
  const std::vector<pix::IdentityKey> keys{{kClinicDomain, m.local_id},
                                           {std::string(kPharmacyOid) + ".1", pharmacy_patient},
                                           {kCareDomain, care_patient()},
                                           {kHospital2Domain, m.local_id}};
  for (const auto& key : keys) {
    const auto found = identities.find(key);
    ASSERT_TRUE(found.has_value()) << key.authority << " " << key.local_id;
    if (std::to_string(found->person_id) != m.person_id)
      identities.link(key, {testing::kHospitalDomain, m.local_id},
                      {"hosted-test", "the same patient"});
  }
  // A doctor the hospital's consent covers; the patient consents at the clinic, the pharmacy
  // and the second hospital too (the care facility's consent came with the web form, for
  // every facility).
  const testing::Matrix::User* doctor = nullptr;
  for (const auto& u : m.users) {
    if (!doctor && u.profession == hpd::Profession::kDoctor && u.state == testing::State::kGiven)
      doctor = &u;
  }
  ASSERT_NE(doctor, nullptr);
  const std::string viewer = m.facility.at({doctor->kind, doctor->state});
  for (const auto& key : {keys[0], keys[1], keys[3]}) {
    auto c = net().admin->call("POST", "/api/v1/admin/consents",
                               {{"authority", key.authority},
                                {"local_id", key.local_id},
                                {"viewer_facility_oid", viewer}});
    ASSERT_EQ(c.status, 201) << c.body;
  }
  h.doctor = std::make_unique<testing::Browser>(net().portal->port("web"));
  h.viewer_facility = viewer;
  ASSERT_EQ(h.doctor->login(doctor->login, testing::kPassword, m.secret).status, 200);
  // The doctor's view of the patient, category by category as the timeline draws it: one item
  // of each source facility.
  const std::vector<std::string> facilities{testing::kHospitalOid, kHospital2Oid, kClinicOid,
                                            kPharmacyOid, kCareOid};
  std::map<std::string, json> seen;  // facility -> one of its items
  std::string last;
  ASSERT_TRUE(testing::poll_until(
      [&] {
        for (const char* category : {"prescriptions", "documents", "encounters", "diagnoses"}) {
          auto v = h.doctor->call("GET", "/api/v1/persons/" + m.person_id + "/" + category);
          const json page = body_of(v);
          if (v.status != 200 || !page.is_object() || !page["items"].is_array()) {
            last = std::string(category) + ": " + v.body;
            return false;
          }
          const json items = page["items"];
          for (const auto& item : items) {
            const std::string oid = item.value("facility_oid", "");
            // the pharmacy's dispensing and the care facility's PDF, not just any item
            const json types = item.value("prescription_types", json::array());
            if (oid == kPharmacyOid && (types.empty() || types[0].value("code", "") != "dispensed"))
              continue;
            if (oid == kCareOid && item.value("title", "") != "介護サマリー")
              continue;
            seen.emplace(oid, item);
          }
        }
        last.clear();
        for (const auto& f : facilities) {
          if (!seen.contains(f))
            last += "missing " + f + "\n";
        }
        return last.empty();
      },
      std::chrono::seconds(60)))
      << last << h.daemon->log();
  for (const auto& f : facilities)
    EXPECT_FALSE(seen[f].value("facility_name", "").empty()) << seen[f].dump();
  EXPECT_EQ(seen[kCareOid]["date"], "2026-12-02") << seen[kCareOid].dump();
  EXPECT_NE(seen[kPharmacyOid]["drug"].value("display", "").find("アムロジピン"), std::string::npos)
      << seen[kPharmacyOid].dump();
  // The care facility's PDF downloads as it was attached.
  auto file = h.doctor->call(
      "GET", "/api/v1/persons/" + m.person_id + "/documents/" + kCareOid + "/" + care_document);
  EXPECT_EQ(file.status, 200) << file.body;
  EXPECT_EQ(file.body, kPdf);
  // Each tenant's own audit names the doctor's request.
  for (const char* tenant : {"clinic", "pharmacy", "care"}) {
    const std::string audit =
        testing::read_file(h.tenants_dir + "/" + tenant + "/state/audit.jsonl");
    EXPECT_NE(audit.find(doctor->login), std::string::npos) << tenant;
  }
}

TEST(HostedThreeKinds, TheCareTenantReachesNoOtherTenantsDataNorTheyIts) {
  auto& h = Hosted::get();
  auto& m = matrix();
  ASSERT_TRUE(h.doctor) << "runs after the three kinds' test";
  // The care facility's data manager sees its own patient only.
  auto r = h.care_dm->call("GET", "/api/v1/uploads/patients");
  ASSERT_EQ(r.status, 200) << r.body;
  const json patients = body_of(r)["items"];
  ASSERT_EQ(patients.size(), 1u) << r.body;
  EXPECT_EQ(patients[0]["patient_id"], care_patient());
  // The clinic's disclosed patient is no patient of the care facility's.
  r = h.care_dm->call("GET", "/api/v1/uploads/patients/" + m.local_id);
  EXPECT_EQ(r.status, 404) << r.body;
  r = h.clinic_dm->call("GET", "/api/v1/uploads/patients/" + care_patient());
  EXPECT_EQ(r.status, 404) << r.body;
  // At the hosted gateway: the clinic's assertions at /t/care, the care facility's at
  // /t/clinic, whether reading or writing.
  r = h.call("care", "GET", "/gw/v1/uploads/patients",
             Hosted::uploader("clinic-dm", kClinicOid, kClinicOid));
  EXPECT_EQ(r.status, 403) << r.body;
  r = h.call("care", "GET", "/gw/v1/uploads/patients",
             Hosted::uploader("clinic-dm", kClinicOid, kCareOid));
  EXPECT_EQ(r.status, 403) << r.body;
  r = h.call("care", "GET", "/gw/v1/patients/" + m.local_id + "/prescriptions",
             Hosted::reader(kClinicOid, kClinicDomain, m.local_id, "prescriptions"));
  EXPECT_EQ(r.status, 403) << r.body;
  r = h.call("care", "GET", "/gw/v1/patients/" + care_patient() + "/documents",
             Hosted::reader(kClinicOid, kCareDomain, care_patient(), "documents"));
  EXPECT_EQ(r.status, 403) << r.body;
  r = h.call("clinic", "GET", "/gw/v1/patients/" + care_patient() + "/documents",
             Hosted::reader(kCareOid, kCareDomain, care_patient(), "documents"));
  EXPECT_EQ(r.status, 403) << r.body;
  r = h.call("clinic", "GET", "/gw/v1/uploads/patients/" + m.local_id,
             Hosted::uploader("care-dm", kCareOid, kClinicOid));
  EXPECT_EQ(r.status, 403) << r.body;
  const std::size_t clinic_extended = files_under(h.tenants_dir + "/clinic/extended");
  r = h.call("clinic", "POST",
             "/gw/v1/uploads/documents?patient_id=" + m.local_id +
                 "&title=x&category=other&date=2026-12-02",
             Hosted::uploader("care-dm", kCareOid, kClinicOid), kPdf, "application/pdf");
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(files_under(h.tenants_dir + "/clinic/extended"), clinic_extended);
  // Asked properly, the care tenant holds nothing of the clinic's patient id.
  r = h.call("care", "GET", "/gw/v1/patients/" + m.local_id + "/prescriptions",
             Hosted::reader(kCareOid, kCareDomain, m.local_id, "prescriptions"));
  EXPECT_TRUE(r.status == 404 || body_of(r)["items"].empty()) << r.body;
  // And its own patient's document, asked properly, is there.
  r = h.call("care", "GET", "/gw/v1/patients/" + care_patient() + "/documents",
             Hosted::reader(kCareOid, kCareDomain, care_patient(), "documents"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body_of(r)["items"].size(), 1u) << r.body;
}

TEST(HostedThreeKinds, AKillDuringAFhirUploadKeepsItWholeOrNotAtAll) {
  auto& h = Hosted::get();
  auto& m = matrix();
  ASSERT_TRUE(h.doctor) << "runs after the portal's tests";
  const std::string folder = h.tenants_dir + "/clinic/received/fhir/" + m.local_id;
  ASSERT_EQ(files_under(folder), 0u);
  // A referral for the patient the clinic holds, made large by its narrative so that the kill
  // lands while it is sent or stored.
  json bundle =
      json::parse(testing::read_file(std::string(HAREYAKA_TEST_DATA_DIR) + "/fhir/ereferral.json"));
  bundle["entry"][1]["resource"]["identifier"][0]["value"] = m.local_id;
  bundle["entry"][0]["resource"]["text"] = {{"status", "generated"},
                                            {"div", "<div xmlns=\"http://www.w3.org/1999/xhtml\">" +
                                                        std::string(6u << 20, 'x') + "</div>"}};
  const std::string body = bundle.dump();
  const std::string path = "/gw/v1/uploads/fhir?patient_id=" + m.local_id;
  const auto uploader = Hosted::uploader("clinic-dm", kClinicOid, kClinicOid);
  const std::size_t reports = files_under(h.tenants_dir + "/clinic/uploads/reports");
  const int answered = kill_during(
      h,
      [&] {
        return h.call("clinic", "POST", path, uploader, body, "application/fhir+json").status;
      },
      [&] {
        // What a kill inside the store's write leaves when it lands there: the temporary
        // files of the bundle and of its report, half written.
        fs::create_directories(folder);
        std::ofstream(folder + "/.tmp-999999-1") << body.substr(0, body.size() / 2);
        std::ofstream(h.tenants_dir + "/clinic/uploads/reports/.tmp-999999-2") << "{\"upl";
      });
  const std::size_t after = files_under(folder);
  if (answered == 200) {
    EXPECT_EQ(after, 1u) << "acknowledged, then lost";
  }
  EXPECT_LE(after, 1u) << temporaries_under(folder);
  EXPECT_EQ(temporaries_under(h.tenants_dir + "/clinic"), "");
  EXPECT_LE(files_under(h.tenants_dir + "/clinic/uploads/reports"), reports + 1);
  std::size_t leftovers = 0;
  for (const auto& e : fs::directory_iterator(h.tenants_dir + "/clinic/uploads"))
    leftovers += e.path().filename() != "reports";
  EXPECT_EQ(leftovers, 0u);
  for (const auto& e : fs::directory_iterator(folder))
    EXPECT_TRUE(testing::read_file(e.path().string()) == body) << e.path();  // whole
  // Still serving: the same upload again is stored (or found unchanged), and read back.
  auto r = h.call("clinic", "POST", path, uploader, body, "application/fhir+json");
  ASSERT_EQ(r.status, 200) << r.body << h.daemon->log();
  EXPECT_EQ(body_of(r)["stored"].get<int>() + body_of(r)["unchanged"].get<int>(),
            body_of(r)["files"].size())
      << r.body;
  EXPECT_EQ(files_under(folder), 1u);
  r = h.call("clinic", "GET", "/gw/v1/patients/" + m.local_id + "/documents",
             Hosted::reader(kClinicOid, kClinicDomain, m.local_id, "documents"));
  ASSERT_EQ(r.status, 200) << r.body;
  const json documents = body_of(r)["items"];
  std::size_t fhir_documents = 0;
  for (const auto& d : documents)
    fhir_documents += d.value("media_type", "") == "application/fhir+json";
  EXPECT_EQ(fhir_documents, 1u) << r.body;
}

TEST(HostedThreeKinds, AKillDuringAWebFormDocumentKeepsItWholeOrNotAtAll) {
  auto& h = Hosted::get();
  ASSERT_TRUE(h.doctor) << "runs after the care facility's registration";
  const std::string extended = h.tenants_dir + "/care/extended";
  const std::size_t before = files_under(extended);
  ASSERT_EQ(before, 1u) << "the first test's PDF";
  // A large PDF, so that the kill lands while it is sent or stored.
  const std::string pdf = "%PDF-1.4\n" + std::string(8u << 20, 'p') + "\n%%EOF\n";
  const std::string path = "/gw/v1/uploads/documents?patient_id=" + care_patient() +
                           "&title=" + testing::url_encode("看護サマリー") +
                           "&category=nursing_summary&date=2026-12-03";
  const auto uploader = Hosted::uploader("care-dm", kCareOid, kCareOid);
  const std::size_t reports = files_under(h.tenants_dir + "/care/uploads/reports");
  const int answered = kill_during(
      h, [&] { return h.call("care", "POST", path, uploader, pdf, "application/pdf").status; },
      [&] {
        // What a kill inside the report's write leaves when it lands there.
        std::ofstream(h.tenants_dir + "/care/uploads/reports/.tmp-999999-3") << "{\"upl";
      });
  const std::size_t after = files_under(extended);
  if (answered == 200) {
    EXPECT_EQ(after, before + 1) << "acknowledged, then lost";
  }
  EXPECT_TRUE(after == before || after == before + 1) << before << " then " << after;
  EXPECT_EQ(temporaries_under(h.tenants_dir + "/care"), "");
  EXPECT_LE(files_under(h.tenants_dir + "/care/uploads/reports"), reports + 1);
  std::size_t leftovers = 0;
  for (const auto& e : fs::directory_iterator(h.tenants_dir + "/care/uploads"))
    leftovers += e.path().filename() != "reports";
  EXPECT_EQ(leftovers, 0u);
  std::size_t whole = 0;
  for (const auto& e : fs::recursive_directory_iterator(extended)) {
    if (e.is_regular_file() && e.path().filename() == "看護サマリー.pdf") {
      EXPECT_EQ(fs::file_size(e.path()), pdf.size()) << e.path();
      whole += testing::read_file(e.path().string()) == pdf;
    }
  }
  EXPECT_EQ(whole, after - before);
  // Still serving: the patient's documents as the index has them, and a new one stored.
  auto r = h.call("care", "GET", "/gw/v1/patients/" + care_patient() + "/documents",
                  Hosted::reader(kCareOid, kCareDomain, care_patient(), "documents"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body_of(r)["items"].size(), after) << r.body;
  r = h.call("care", "POST", path, uploader, kPdf, "application/pdf");
  ASSERT_EQ(r.status, 200) << r.body << h.daemon->log();
  EXPECT_EQ(files_under(extended), after + 1);
}

}  // namespace
}  // namespace hareyaka
