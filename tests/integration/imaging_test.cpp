// Radiology images through the real network: a hospital gateway with its DICOM side on
// (storage SCP, index, DICOMweb/WADO), a portal with PostgreSQL, a clinic doctor and a
// pharmacist. dcmtk's echoscu/storescu send to the gateway's SCP; the study that an SS-MIX2
// OMG-11 radiology result names opens through the portal for the consented doctor and is
// refused (and audited) for the pharmacist; the gateway itself refuses DICOM requests
// without an assertion or for another patient; pydicom's sample files render or say
// clearly why not, their raw DICOM always retrievable.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/oflog/oflog.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/assertion.hpp"
#include "common/error.hpp"
#include "common/http_client.hpp"
#include "common/pg.hpp"
#include "portal/auth/totp.hpp"
#include "tests/integration/web_login.hpp"
#include "tests/support/daemon.hpp"
#include "tests/support/dev_pki.hpp"
#include "tests/support/pg_cluster.hpp"

namespace hareyaka {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::dev_pki;

constexpr const char* kRoot = "1.2.392.200284.33";
const std::string kA = std::string(kRoot) + ".1310001";
const std::string kClinic = std::string(kRoot) + ".2000001";
const std::string kPharmacy = std::string(kRoot) + ".3000001";
constexpr const char* kPassword = "Imaging-Test-2026";
constexpr const char* kSecret = "JBSWY3DPEHPK3PXPJBSWY3DP";
const fs::path kPydicom = "/usr/lib/python3/dist-packages/pydicom/data";

// The first OMG-11 file of the storage: (patient id, the study UID of its IPC segment).
std::pair<std::string, std::string> radiology_order(const fs::path& storage) {
  for (const auto& e : fs::recursive_directory_iterator(storage)) {
    const std::string name = e.path().filename().string();
    if (!e.is_regular_file() || name.find("_OMG-11_") == std::string::npos)
      continue;
    const std::string text = testing::read_file(e.path().string());
    const auto ipc = text.find("\rIPC|");
    if (ipc == std::string::npos)
      continue;
    std::vector<std::string> fields;
    std::size_t pos = ipc + 1;
    for (int i = 0; i < 4; ++i) {
      const auto bar = text.find('|', pos);
      fields.push_back(text.substr(pos, bar - pos));
      pos = bar + 1;
    }
    return {name.substr(0, name.find('_')), fields[3]};
  }
  return {};
}

struct PatientKeys {
  std::string patient_id, study, series, sop;
};

PatientKeys keys_of(const fs::path& file) {
  DcmFileFormat ff;
  if (ff.loadFile(file.c_str(), EXS_Unknown, EGL_noChange, 256).bad())
    return {};
  OFString pid, study, series, sop;
  auto* ds = ff.getDataset();
  ds->findAndGetOFString(DCM_PatientID, pid);
  ds->findAndGetOFString(DCM_StudyInstanceUID, study);
  ds->findAndGetOFString(DCM_SeriesInstanceUID, series);
  ds->findAndGetOFString(DCM_SOPInstanceUID, sop);
  return {pid.c_str(), study.c_str(), series.c_str(), sop.c_str()};
}

struct Network {
  testing::TempDir tmp;
  std::string db;
  std::string patient, study, series;  // the OMG-11 study, sent by storescu
  std::vector<std::string> sops;
  std::unique_ptr<testing::Daemon> portal, gw;
  std::unique_ptr<http::BlockingHttpClient> as_portal;
};

Network* net = nullptr;

class Imaging : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // The test reads pydicom's broken files too: DCMTK's own logger would flood the output.
    OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
    net = new Network();
    net->db = testing::fresh_database();
    const int nodes_port = testing::free_loopback_port();
    const std::string a = net->tmp.path() + "/a";
    testing::run_checked({testing::binary_path("gateway/hareyaka-ssmix2-gen"), "--out",
                          a + "/ssmix2", "--patients", "30", "--seed", "8"});
    std::tie(net->patient, net->study) = radiology_order(a + "/ssmix2");
    ASSERT_FALSE(net->study.empty()) << "the generator wrote no OMG-11 with a study UID";

    json portal_cfg{{"assertion_signing_key", dev_pki().dir + "/assertion.key"},
                    {"database", {{"conninfo", {{"env", "HAREYAKA_TEST_DB"}}}}},
                    {"listeners",
                     {{"web", testing::dev_listener("portal", 0, "none")},
                      {"nodes", testing::dev_listener("portal", nodes_port, "require")}}},
                    {"client_tls",
                     {{"ca_file", dev_pki().ca()},
                      {"cert_file", dev_pki().cert("portal")},
                      {"key_file", dev_pki().key("portal")}}},
                    {"auth", {{"fast_password_hashing_for_tests", true}}}};
    net->portal = std::make_unique<testing::Daemon>(
        "portal/hareyaka-portal", portal_cfg, "portal",
        std::map<std::string, std::string>{{"HAREYAKA_TEST_DB", net->db}});
    json gw_cfg{
        {"facility_oid", kA},
        {"assertion_public_key", dev_pki().dir + "/assertion.pub"},
        {"listener", testing::dev_listener("gateway-a", testing::free_loopback_port(), "require")},
        {"storage", {{"ssmix2_root", a + "/ssmix2"}, {"state_dir", a + "/state"}}},
        {"portal",
         {{"url", "https://127.0.0.1:" + std::to_string(nodes_port)},
          {"tls",
           {{"ca_file", dev_pki().ca()},
            {"cert_file", dev_pki().cert("gateway-a")},
            {"key_file", dev_pki().key("gateway-a")}}}}},
        {"dicom",
         {{"storage_dir", a + "/dicom"},
          {"ae_title", "HAREYAKA_A"},
          {"port", 0},
          {"allowed_calling_aes", {"MODALITY", "ECHOSCU", "STORESCU"}},
          {"max_associations", 4},
          {"import_dir", kPydicom.string()}}}};
    net->gw = std::make_unique<testing::Daemon>("gateway/hareyaka-gateway", gw_cfg, "gw-a");
    http::ClientSettings cs;
    cs.tls = {.ca_file = dev_pki().ca(),
              .cert_file = dev_pki().cert("portal"),
              .key_file = dev_pki().key("portal")};
    net->as_portal = std::make_unique<http::BlockingHttpClient>(cs);
    ASSERT_TRUE(testing::poll_until(
        [] {
          try {
            return net->as_portal->request({.url = net->gw->url("nodes", "/readyz")}).status == 200;
          } catch (const std::exception&) {
            return false;
          }
        },
        std::chrono::seconds(120)))
        << net->gw->log();
    seed();
    // The OMG-11 study arrives from a modality: three CT instances by storescu.
    std::vector<std::string> argv{"storescu",
                                  "-aet",
                                  "MODALITY",
                                  "-aec",
                                  "HAREYAKA_A",
                                  "127.0.0.1",
                                  std::to_string(net->gw->port("dicom"))};
    for (const auto& f : make_series())
      argv.push_back(f);
    auto r = testing::run(argv);
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }

  static void TearDownTestSuite() {
    delete net;
    net = nullptr;
  }

  static void seed() {
    auto user = [](const std::string& login, const std::string& fac, const std::string& prof) {
      return json{{"login_id", login},  {"display_name", login}, {"facility_oid", fac},
                  {"profession", prof}, {"password", kPassword}, {"totp_secret", kSecret}};
    };
    json consents = json::array();
    for (const auto& viewer : {kClinic, kPharmacy}) {
      consents.push_back({{"authority", kA + ".1"},
                          {"local_id", net->patient},
                          {"source_facility", kA},
                          {"viewer_facility", viewer}});
    }
    json seed{{"facilities",
               {{{"oid", kA},
                 {"name_kanji", "晴れやか総合病院"},
                 {"kind", "hospital"},
                 {"municipality_code", "331007"},
                 {"discloses", true},
                 {"views", true},
                 {"gateway_url", "https://127.0.0.1:" + std::to_string(net->gw->port("nodes"))},
                 {"gateway_cert_sha256", testing::cert_fingerprint(dev_pki().cert("gateway-a"))}},
                {{"oid", kClinic},
                 {"name_kanji", "はれやかクリニック"},
                 {"kind", "clinic"},
                 {"municipality_code", "331007"},
                 {"discloses", false},
                 {"views", true}},
                {{"oid", kPharmacy},
                 {"name_kanji", "さくら薬局"},
                 {"kind", "pharmacy"},
                 {"municipality_code", "331007"},
                 {"discloses", false},
                 {"views", true}}}},
              {"users",
               {user("dr-clinic", kClinic, "doctor"), user("ph-sakura", kPharmacy, "pharmacist")}},
              {"consents", consents}};
    std::ofstream(net->tmp.path() + "/seed.json") << seed.dump();
    testing::run_checked({"env", "HAREYAKA_TEST_DB=" + net->db,
                          testing::binary_path("portal/hareyaka-portal"), "bootstrap", "--config",
                          net->portal->dir() + "/portal.json", "--file",
                          net->tmp.path() + "/seed.json"});
  }

  // Three instances of one CT series under the OMG-11 study and patient (pydicom's CT_small
  // with new UIDs), for storescu.
  static std::vector<std::string> make_series() {
    std::vector<std::string> files;
    net->series = net->study + ".1";
    for (int i = 1; i <= 3; ++i) {
      const std::string f = net->tmp.path() + "/ct" + std::to_string(i) + ".dcm";
      fs::copy_file(kPydicom / "test_files/CT_small.dcm", f, fs::copy_options::overwrite_existing);
      const std::string sop = net->series + "." + std::to_string(i);
      testing::run_checked({"dcmodify", "-nb", "-i", "(0010,0020)=" + net->patient, "-i",
                            "(0020,000D)=" + net->study, "-i", "(0020,000E)=" + net->series, "-i",
                            "(0008,0018)=" + sop, "-i", "(0020,0013)=" + std::to_string(i), f});
      net->sops.push_back(sop);
      files.push_back(f);
    }
    return files;
  }

  std::string assertion(const std::string& local_id, const std::string& category) {
    static AssertionSigner signer(dev_pki().dir + "/assertion.key",
                                  testing::cert_fingerprint(dev_pki().cert("portal")));
    const auto now = unix_now();
    // A user the network directory knows (the gateway pulls it from the portal and refuses
    // unknown viewers).
    return signer.sign({.user = "dr-clinic",
                        .profession = "doctor",
                        .facility_oid = kClinic,
                        .audience = kA,
                        .authority = kA + ".1",
                        .local_id = local_id,
                        .category = category,
                        .request_id = "it-imaging",
                        .issued_at = now - 1,
                        .expires_at = now + 60});
  }

  http::ClientResponse gw_get(const std::string& path, const std::string& token) {
    http::ClientRequest r{.url = net->gw->url("nodes", path), .timeout = std::chrono::seconds(60)};
    if (!token.empty())
      r.headers[kAssertionHeader] = token;
    return net->as_portal->request(r);
  }

  struct Browser {
    std::unique_ptr<http::BlockingHttpClient> client;
    std::string cookie;
    http::ClientResponse get(const std::string& path) {
      try {
        return client->request({.url = net->portal->url("web", path),
                                .headers = {{"Cookie", cookie}},
                                .timeout = std::chrono::seconds(60)});
      } catch (const Error& e) {
        ADD_FAILURE() << path << ": " << e.internal() << "\n" << net->portal->log();
        return {};
      }
    }
  };

  static Browser& login(const std::string& login_id) {
    static std::map<std::string, Browser> sessions;
    auto it = sessions.find(login_id);
    if (it != sessions.end())
      return it->second;
    Browser& b = sessions[login_id];
    http::ClientSettings s;
    s.tls.ca_file = dev_pki().ca();
    b.client = std::make_unique<http::BlockingHttpClient>(s);
    b.cookie = testing::web_login(*b.client, net->portal->url("web", "/api/v1/session"), login_id,
                                  kPassword, kSecret)
                   .cookie;
    return b;
  }

  // The person id of the OMG-11 patient, once the gateway's publication reached the portal.
  static std::string person_of_patient(Browser& b) {
    std::string pid;
    testing::poll_until(
        [&] {
          auto r = b.get("/api/v1/persons?local_id=" + net->patient);
          if (r.status != 200)
            return false;
          auto items = json::parse(r.body)["items"];
          if (items.empty())
            return false;
          pid = items[0]["person_id"];
          return true;
        },
        std::chrono::seconds(60));
    return pid;
  }

  static int audit_count(const std::string& user, const std::string& outcome) {
    pg::Pool pool({.conninfo = net->db, .size = 1});
    return pg::transact(pool, [&](pg::Tx& tx) {
      return tx.raw()
          .exec_params(
              "SELECT count(*) FROM audit_log WHERE actor_user = $1 AND outcome = $2 AND "
              "category = 'imaging'",
              user, outcome)[0][0]
          .as<int>();
    });
  }
};

TEST_F(Imaging, ModalitiesSendToTheGatewayScp) {
  const std::string port = std::to_string(net->gw->port("dicom"));
  EXPECT_EQ(testing::run({"echoscu", "-aet", "ECHOSCU", "-aec", "HAREYAKA_A", "127.0.0.1", port})
                .exit_code,
            0);
  // A calling AE outside the allow-list is refused.
  EXPECT_NE(testing::run({"echoscu", "-aet", "INTRUDER", "-aec", "HAREYAKA_A", "127.0.0.1", port})
                .exit_code,
            0);
  // The series sent by storescu at set-up is indexed and served: QIDO for the patient lists the
  // study with its three instances.
  auto q = gw_get("/gw/v1/dicomweb/studies", assertion(net->patient, "imaging"));
  ASSERT_EQ(q.status, 200) << q.body;
  auto studies = json::parse(q.body);
  ASSERT_EQ(studies.size(), 1u) << q.body;
  EXPECT_EQ(studies[0]["0020000D"]["Value"][0], net->study);
  EXPECT_EQ(studies[0]["00201208"]["Value"][0], 3);
  // The patient's study list (what the portal's imaging category shows).
  auto list =
      gw_get("/gw/v1/patients/" + net->patient + "/imaging", assertion(net->patient, "imaging"));
  ASSERT_EQ(list.status, 200) << list.body;
  const json items = json::parse(list.body)["items"];
  ASSERT_EQ(items.size(), 1u) << list.body;
  EXPECT_EQ(items[0]["study_uid"], net->study);
  EXPECT_EQ(items[0]["modality"], "CT");
  EXPECT_EQ(items[0]["instances"], 3);
}

TEST_F(Imaging, GatewayRefusesDicomRoutesWithoutTheRightAssertion) {
  ASSERT_FALSE(net->sops.empty()) << "the series was not sent at set-up";
  const std::string wado = "/gw/v1/wado?requestType=WADO&studyUID=" + net->study +
                           "&seriesUID=" + net->series + "&objectUID=" + net->sops[0] +
                           "&contentType=application/dicom";
  EXPECT_EQ(gw_get(wado, "").status, 401);
  EXPECT_EQ(gw_get(wado, assertion(net->patient, "radiology")).status, 403);
  const std::string other = net->patient == "1000002" ? "1000003" : "1000002";
  EXPECT_EQ(gw_get(wado, assertion(other, "imaging")).status, 403);
  EXPECT_EQ(gw_get("/gw/v1/dicomweb/studies/" + net->study + "/series", assertion(other, "imaging"))
                .status,
            403);
  // QIDO at study level only ever lists the asserted patient's studies.
  auto q = gw_get("/gw/v1/dicomweb/studies?PatientID=" + net->patient, assertion(other, "imaging"));
  ASSERT_EQ(q.status, 200);
  EXPECT_EQ(q.body.find(net->study), std::string::npos);
  EXPECT_EQ(gw_get(wado, assertion(net->patient, "imaging")).status, 200);
  auto jpeg = gw_get("/gw/v1/wado?requestType=WADO&studyUID=" + net->study +
                         "&seriesUID=" + net->series + "&objectUID=" + net->sops[1] +
                         "&contentType=image/jpeg&windowCenter=40&windowWidth=400&rows=64",
                     assertion(net->patient, "imaging"));
  EXPECT_EQ(jpeg.status, 200) << jpeg.body;
  const std::string log = testing::read_file(net->tmp.path() + "/a/state/audit.jsonl");
  EXPECT_NE(log.find("study belongs to another patient"), std::string::npos);
  EXPECT_NE(log.find("no access assertion"), std::string::npos);
}

TEST_F(Imaging, TheStudyOfARadiologyResultOpensForTheDoctorAndNotForThePharmacist) {
  ASSERT_FALSE(net->sops.empty()) << "the series was not sent at set-up";
  auto& dr = login("dr-clinic");
  const std::string pid = person_of_patient(dr);
  ASSERT_FALSE(pid.empty());
  // The imaging category: the OMG-11 result names the study, and the study list has it.
  // (The gateway's locator entry names the study once the portal has it: until then the
  // portal may skip the study list, so this polls with a deadline.)
  http::ClientResponse cat;
  bool in_result = false, in_studies = false;
  testing::poll_until(
      [&] {
        cat = dr.get("/api/v1/persons/" + pid + "/imaging");
        if (cat.status != 200)
          return false;
        in_result = in_studies = false;
        const json listed = json::parse(cat.body);
        for (const auto& item : listed["items"]) {
          if (item.value("kind", "") == "study" && item["study_uid"] == net->study) {
            in_studies = true;
            EXPECT_EQ(item["instances"], 3);
          }
          if (item.dump().find(net->study) != std::string::npos &&
              item.value("kind", "") != "study")
            in_result = true;
        }
        return in_result && in_studies;
      },
      std::chrono::seconds(30));
  ASSERT_EQ(cat.status, 200) << cat.body;
  EXPECT_TRUE(in_result) << cat.body;
  EXPECT_TRUE(in_studies) << cat.body;
  // The locator entry the gateway published lists the study.
  {
    pg::Pool pool({.conninfo = net->db, .size = 1});
    std::string content;
    testing::poll_until(
        [&] {
          content = pg::transact(pool, [&](pg::Tx& tx) {
            auto r = tx.raw().exec_params("SELECT content::text FROM locators WHERE local_id = $1",
                                          net->patient);
            return r.empty() ? std::string() : r[0][0].as<std::string>();
          });
          return content.find(net->study) != std::string::npos;
        },
        std::chrono::seconds(30));
    EXPECT_NE(content.find(net->study), std::string::npos) << content;
  }

  const std::string base = "/api/v1/persons/" + pid + "/imaging/" + kA;
  auto qido = dr.get(base + "/dicomweb/studies");
  ASSERT_EQ(qido.status, 200) << qido.body;
  EXPECT_NE(qido.body.find(net->study), std::string::npos);
  auto series = dr.get(base + "/dicomweb/studies/" + net->study + "/series/" + net->series +
                       "/instances?limit=2&offset=1");
  ASSERT_EQ(series.status, 200) << series.body;
  EXPECT_EQ(json::parse(series.body).size(), 2u);

  auto jpeg = dr.get(base + "/wado?requestType=WADO&studyUID=" + net->study +
                     "&seriesUID=" + net->series + "&objectUID=" + net->sops[1] +
                     "&contentType=image/jpeg&windowCenter=40&windowWidth=400&rows=64");
  ASSERT_EQ(jpeg.status, 200) << jpeg.body;
  EXPECT_EQ(jpeg.headers["Content-Type"], "image/jpeg");
  // A study UID that is not one is a 400 naming it (it goes into the audit record).
  for (const char* bad : {"%FF", "1.2.x"}) {
    auto r = dr.get(base + "/wado?requestType=WADO&studyUID=" + bad);
    EXPECT_EQ(r.status, 400) << bad << ": " << r.body;
    EXPECT_NE(r.body.find("studyUID"), std::string::npos) << bad << ": " << r.body;
  }
  ASSERT_GT(jpeg.body.size(), 100u);
  EXPECT_EQ(static_cast<unsigned char>(jpeg.body[0]), 0xFF);
  EXPECT_EQ(static_cast<unsigned char>(jpeg.body[1]), 0xD8);

  auto instance = dr.get(base + "/dicomweb/studies/" + net->study + "/series/" + net->series +
                         "/instances/" + net->sops[2]);
  ASSERT_EQ(instance.status, 200) << instance.body;
  EXPECT_NE(instance.headers["Content-Type"].find("multipart/related"), std::string::npos);
  EXPECT_NE(instance.body.find("DICM"), std::string::npos);
  EXPECT_NE(instance.body.find(net->sops[2]), std::string::npos);
  auto rendered = dr.get(base + "/dicomweb/studies/" + net->study + "/series/" + net->series +
                         "/instances/" + net->sops[0] + "/rendered?window=40,400");
  ASSERT_EQ(rendered.status, 200) << rendered.body;
  EXPECT_EQ(rendered.headers["Content-Type"], "image/jpeg");
  // A bare study UID in another person's path does not open it: unknown person → 404.
  EXPECT_EQ(
      dr.get("/api/v1/persons/999999/imaging/" + kA + "/dicomweb/studies/" + net->study + "/series")
          .status,
      404);
  // Only UIDs travel to the gateway.
  EXPECT_EQ(dr.get(base + "/dicomweb/studies/" + net->study + "/series/1.2..3").status, 400);
  EXPECT_EQ(dr.get(base + "/dicomweb/studies/" + net->study + "/series/%2E%2E").status, 400);
  EXPECT_EQ(dr.get(base + "/dicomweb/studies/" + net->study + "/series/..%2F..%2Fx").status, 404);
  EXPECT_GE(audit_count("dr-clinic", "success"), 4);

  auto& ph = login("ph-sakura");
  const std::string ph_pid = person_of_patient(ph);
  ASSERT_EQ(ph_pid, pid);
  const int denied_before = audit_count("ph-sakura", "denied");
  auto refused = ph.get("/api/v1/persons/" + pid + "/imaging/" + kA + "/wado?requestType=WADO" +
                        "&studyUID=" + net->study + "&seriesUID=" + net->series +
                        "&objectUID=" + net->sops[0] + "&contentType=image/jpeg");
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(ph.get("/api/v1/persons/" + pid + "/imaging/" + kA + "/dicomweb/studies").status, 403);
  EXPECT_EQ(audit_count("ph-sakura", "denied"), denied_before + 2);
}

TEST_F(Imaging, PydicomFilesRenderOrSayWhyWithTheRawDicomAlwaysServed) {
  int stored = 0, rendered = 0, cannot = 0, transfer_syntax = 0;
  std::set<std::string> seen;
  for (const auto& e : fs::recursive_directory_iterator(kPydicom)) {
    if (!e.is_regular_file())
      continue;
    const PatientKeys k = keys_of(e.path());
    if (k.sop.empty() || k.patient_id.empty() || !seen.insert(k.sop).second)
      continue;
    // One assertion per request: a gateway accepts each once.
    const std::string wado = "/gw/v1/wado?requestType=WADO&studyUID=" + k.study +
                             "&seriesUID=" + k.series + "&objectUID=" + k.sop;
    auto raw = gw_get(wado + "&contentType=application/dicom", assertion(k.patient_id, "imaging"));
    if (raw.status != 200)
      continue;  // refused at import (the importer logged why), or a duplicate UID
    ++stored;
    EXPECT_EQ(raw.headers["Content-Type"], "application/dicom");
    EXPECT_EQ(raw.body.substr(128, 4), "DICM") << e.path();
    auto img = gw_get(wado + "&contentType=image/jpeg", assertion(k.patient_id, "imaging"));
    if (img.status == 200) {
      ++rendered;
      EXPECT_EQ(img.headers["Content-Type"], "image/jpeg") << e.path();
    } else {
      ++cannot;
      EXPECT_TRUE(img.status == 422 || img.status == 400 || img.status == 415)
          << e.path() << " " << img.status << " " << img.body;
      EXPECT_NE(img.body.find("\"message\""), std::string::npos) << img.body;
      if (img.body.find("cannot render this transfer syntax") != std::string::npos)
        ++transfer_syntax;
    }
  }
  std::cout << "pydicom files over HTTP: stored " << stored << ", rendered " << rendered
            << ", cannot render " << cannot << " (" << transfer_syntax
            << " for the transfer syntax)\n";
  EXPECT_GE(stored, 20);
  EXPECT_GE(rendered, 10);
  EXPECT_GE(cannot, 1);
  EXPECT_GE(transfer_syntax, 1);  // e.g. JPEG 2000: named, the raw DICOM served above
}

}  // namespace
}  // namespace hareyaka
