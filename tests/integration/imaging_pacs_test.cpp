// A gateway configured to reach its hospital's PACS instead of holding copies: Debian's
// Orthanc on loopback (own storage, knowing the gateway's SCP as a C-MOVE destination) holds
// the studies; the gateway daemon lists a patient's studies by C-FIND and, on the first
// WADO request for one, fetches it by C-MOVE into its store and serves it. A study of
// another patient at the PACS is never fetched under this patient's assertion.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/assertion.hpp"
#include "common/http_client.hpp"
#include "tests/support/daemon.hpp"
#include "tests/support/dev_pki.hpp"

namespace hareyaka {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::dev_pki;

constexpr const char* kFacility = "1.2.392.200284.33.1310001";
const fs::path kFiles = "/usr/lib/python3/dist-packages/pydicom/data/test_files";

struct Keys {
  std::string patient, study, series, sop;
};

Keys keys_of(const fs::path& file) {
  DcmFileFormat ff;
  EXPECT_TRUE(ff.loadFile(file.c_str()).good());
  OFString p, st, se, so;
  auto* ds = ff.getDataset();
  ds->findAndGetOFString(DCM_PatientID, p);
  ds->findAndGetOFString(DCM_StudyInstanceUID, st);
  ds->findAndGetOFString(DCM_SeriesInstanceUID, se);
  ds->findAndGetOFString(DCM_SOPInstanceUID, so);
  return {p.c_str(), st.c_str(), se.c_str(), so.c_str()};
}

class ImagingPacs : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { start("cmove"); }
  // Orthanc as the hospital's PACS, the gateway fetching from it by C-MOVE or C-GET.
  static void start(const std::string& mode) {
    dir_ = new testing::TempDir;
    const int pacs_port = testing::free_loopback_port(), http_port = testing::free_loopback_port(),
              scp_port = testing::free_loopback_port();
    json orthanc{{"Name", "hareyaka-it-pacs"},
                 {"StorageDirectory", dir_->path() + "/orthanc-storage"},
                 {"IndexDirectory", dir_->path() + "/orthanc-index"},
                 {"DicomAet", "ORTHANC"},
                 {"DicomPort", pacs_port},
                 {"HttpPort", http_port},
                 {"RemoteAccessAllowed", false},
                 {"AuthenticationEnabled", false},
                 {"DicomAlwaysAllowEcho", true},
                 {"DicomAlwaysAllowStore", true},
                 {"DicomAlwaysAllowFind", true},
                 {"DicomAlwaysAllowMove", true},
                 {"DicomAlwaysAllowGet", true},
                 {"Plugins", json::array()},
                 {"DicomModalities", {{"gateway", {"HAREYAKA_A", "127.0.0.1", scp_port}}}}};
    std::ofstream(dir_->path() + "/orthanc.json") << orthanc.dump(2);
    orthanc_ = new testing::Child({"/usr/sbin/Orthanc", dir_->path() + "/orthanc.json"},
                                  dir_->path() + "/orthanc.log");
    const std::string port = std::to_string(pacs_port);
    ASSERT_TRUE(testing::poll_until(
        [&] {
          return testing::run({"echoscu", "-aec", "ORTHANC", "127.0.0.1", port}).exit_code == 0;
        },
        std::chrono::seconds(30)))
        << testing::read_file(dir_->path() + "/orthanc.log");
    auto r = testing::run({"storescu", "-aec", "ORTHANC", "127.0.0.1", port,
                           (kFiles / "CT_small.dcm").string(), (kFiles / "MR_small.dcm").string()});
    ASSERT_EQ(r.exit_code, 0) << r.output;

    fs::create_directories(dir_->path() + "/ssmix2");
    json cfg{{"facility_oid", kFacility},
             {"assertion_public_key", dev_pki().dir + "/assertion.pub"},
             {"listener",
              {{"port", 0},
               {"cert_file", dev_pki().cert("gateway-a")},
               {"key_file", dev_pki().key("gateway-a")},
               {"client_auth", "require"},
               {"client_ca_file", dev_pki().ca()}}},
             {"storage",
              {{"ssmix2_root", dir_->path() + "/ssmix2"}, {"state_dir", dir_->path() + "/state"}}},
             {"dicom",
              {{"storage_dir", dir_->path() + "/dicom"},
               {"ae_title", "HAREYAKA_A"},
               {"port", scp_port},
               {"allowed_calling_aes", {"ORTHANC"}},
               {"pacs",
                {{"called_ae", "ORTHANC"},
                 {"host", "127.0.0.1"},
                 {"port", pacs_port},
                 {"mode", mode},
                 {"timeout_ms", 20000}}}}}};
    gw_ = new testing::Daemon("gateway/hareyaka-gateway", cfg, "gateway");
    http::ClientSettings cs;
    cs.tls = {.ca_file = dev_pki().ca(),
              .cert_file = dev_pki().cert("portal"),
              .key_file = dev_pki().key("portal")};
    client_ = new http::BlockingHttpClient(cs);
  }

  static void TearDownTestSuite() {
    delete client_;
    delete gw_;
    delete orthanc_;
    delete dir_;
  }

  static std::string assertion(const std::string& local_id) {
    static AssertionSigner signer(dev_pki().dir + "/assertion.key",
                                  testing::cert_fingerprint(dev_pki().cert("portal")));
    const auto now = unix_now();
    return signer.sign({.user = "dr-test",
                        .profession = "doctor",
                        .facility_oid = "1.2.392.200284.33.2000001",
                        .audience = kFacility,
                        .authority = std::string(kFacility) + ".1",
                        .local_id = local_id,
                        .category = "imaging",
                        .request_id = "it-pacs",
                        .issued_at = now - 1,
                        .expires_at = now + 60});
  }

  static http::ClientResponse get(const std::string& path, const std::string& local_id) {
    http::ClientRequest r{.url = gw_->url("nodes", path), .timeout = std::chrono::seconds(60)};
    r.headers[kAssertionHeader] = assertion(local_id);
    return client_->request(r);
  }

  static std::string location_of(const std::string& patient, const std::string& study) {
    auto r = get("/gw/v1/patients/" + patient + "/imaging", patient);
    EXPECT_EQ(r.status, 200) << r.body;
    const json items = json::parse(r.body)["items"];
    for (const auto& i : items) {
      if (i["study_uid"] == study)
        return i["location"];
    }
    return "";
  }

  static testing::TempDir* dir_;
  static testing::Child* orthanc_;
  static testing::Daemon* gw_;
  static http::BlockingHttpClient* client_;
};

testing::TempDir* ImagingPacs::dir_ = nullptr;
testing::Child* ImagingPacs::orthanc_ = nullptr;
testing::Daemon* ImagingPacs::gw_ = nullptr;
http::BlockingHttpClient* ImagingPacs::client_ = nullptr;

TEST_F(ImagingPacs, ListsByCFindAndFetchesAStudyByCMoveOnFirstUse) {
  const Keys ct = keys_of(kFiles / "CT_small.dcm");
  EXPECT_EQ(location_of(ct.patient, ct.study), "pacs");
  auto jpeg = get("/gw/v1/wado?requestType=WADO&studyUID=" + ct.study + "&seriesUID=" + ct.series +
                      "&objectUID=" + ct.sop + "&contentType=image/jpeg",
                  ct.patient);
  ASSERT_EQ(jpeg.status, 200) << jpeg.body << gw_->log();
  EXPECT_EQ(jpeg.headers["Content-Type"], "image/jpeg");
  EXPECT_EQ(static_cast<unsigned char>(jpeg.body[0]), 0xFF);
  // Held by the gateway from now on.
  EXPECT_EQ(location_of(ct.patient, ct.study), "gateway");
}

TEST_F(ImagingPacs, NeverFetchesAnotherPatientsStudy) {
  const Keys ct = keys_of(kFiles / "CT_small.dcm");
  const Keys mr = keys_of(kFiles / "MR_small.dcm");
  ASSERT_NE(ct.patient, mr.patient);
  auto r = get("/gw/v1/dicomweb/studies/" + mr.study + "/series", ct.patient);
  EXPECT_EQ(r.status, 404) << r.body;
  auto w = get("/gw/v1/wado?requestType=WADO&studyUID=" + mr.study + "&seriesUID=" + mr.series +
                   "&objectUID=" + mr.sop + "&contentType=application/dicom",
               ct.patient);
  EXPECT_EQ(w.status, 404) << w.body;
  // Still only at the PACS.
  EXPECT_EQ(location_of(mr.patient, mr.study), "pacs");
}

// The same through C-GET (the study comes back on the association the gateway opened: no
// C-MOVE destination to configure at the PACS).
class ImagingPacsCGet : public ImagingPacs {
 protected:
  static void SetUpTestSuite() { start("cget"); }
};

TEST_F(ImagingPacsCGet, FetchesAStudyByCGetOnFirstUseAndOnlyThePatientsOwn) {
  const Keys ct = keys_of(kFiles / "CT_small.dcm");
  const Keys mr = keys_of(kFiles / "MR_small.dcm");
  EXPECT_EQ(location_of(ct.patient, ct.study), "pacs");
  auto dicom = get("/gw/v1/wado?requestType=WADO&studyUID=" + ct.study + "&seriesUID=" + ct.series +
                       "&objectUID=" + ct.sop + "&contentType=application/dicom",
                   ct.patient);
  ASSERT_EQ(dicom.status, 200) << dicom.body << gw_->log();
  EXPECT_EQ(dicom.body.substr(128, 4), "DICM");
  EXPECT_EQ(location_of(ct.patient, ct.study), "gateway");
  auto other = get("/gw/v1/dicomweb/studies/" + mr.study + "/series", ct.patient);
  EXPECT_EQ(other.status, 404) << other.body;
  EXPECT_EQ(location_of(mr.patient, mr.study), "pacs");
}

}  // namespace
}  // namespace hareyaka
