// Query/retrieve against a real PACS: Debian's Orthanc, started here on loopback ports with
// its own storage folder, loaded through its DICOM port by dcmtk's storescu, and knowing our
// storage SCP as the C-MOVE destination. Also dcmtk's findscu against Orthanc and our
// client's answers compared with it.
#include "gateway/dicom/pacs_client.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "gateway/dicom/store.hpp"
#include "tests/dicom/dicom_test_support.hpp"

namespace hareyaka::gateway::dicom {
namespace {

namespace fs = std::filesystem;
using testing::pydicom_data;
using testing::run;

struct Dataset {
  std::string patient_id, study_uid;
};

Dataset read(const fs::path& file) {
  DcmFileFormat ff;
  EXPECT_TRUE(ff.loadFile(file.c_str()).good());
  OFString pid, study;
  ff.getDataset()->findAndGetOFString(DCM_PatientID, pid);
  ff.getDataset()->findAndGetOFString(DCM_StudyInstanceUID, study);
  return {pid.c_str(), study.c_str()};
}

class OrthancPacs : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    scp_ = new testing::RunningScp(
        ScpSettings{.ae_title = "HAREYAKA", .allowed_calling_aes = {"ORTHANC"}});
    dir_ = new testing::TempDir;
    dicom_port_ = testing::free_port();
    http_port_ = testing::free_port();
    nlohmann::json config = {
        {"Name", "hareyaka-test-pacs"},
        {"StorageDirectory", dir_->path() + "/storage"},
        {"IndexDirectory", dir_->path() + "/index"},
        {"DicomAet", "ORTHANC"},
        {"DicomPort", dicom_port_},
        {"HttpPort", http_port_},
        {"RemoteAccessAllowed", false},
        {"AuthenticationEnabled", false},
        {"DicomCheckCalledAet", true},
        {"DicomAlwaysAllowEcho", true},
        {"DicomAlwaysAllowStore", true},
        {"DicomAlwaysAllowFind", true},
        {"DicomAlwaysAllowGet", true},
        {"DicomAlwaysAllowMove", true},
        {"Plugins", nlohmann::json::array()},
        // Answers in ISO 2022 IR 87 (JIS X 0208), as Japanese PACS commonly do.
        {"DefaultEncoding", "JapaneseKanji"},
        {"DicomModalities", {{"gateway", {"HAREYAKA", "127.0.0.1", scp_->scp->port()}}}},
    };
    std::ofstream(dir_->path() + "/orthanc.json") << config.dump(2);
    orthanc_ = new testing::Child({"/usr/sbin/Orthanc", dir_->path() + "/orthanc.json"},
                                  dir_->path() + "/orthanc.log");
    bool up =
        testing::poll_until([] { return testing::echo(std::to_string(dicom_port_), "ORTHANC"); },
                            std::chrono::seconds(30));
    ASSERT_TRUE(up) << testing::read_file(dir_->path() + "/orthanc.log");
    // Load the PACS through its DICOM port.
    auto r = run({"storescu", "-aec", "ORTHANC", "127.0.0.1", std::to_string(dicom_port_),
                  (pydicom_data() / "test_files/CT_small.dcm").string(),
                  (pydicom_data() / "test_files/MR_small.dcm").string(),
                  (pydicom_data() / "charset_files/chrH31.dcm").string()});
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  static void TearDownTestSuite() {
    delete orthanc_;
    delete dir_;
    delete scp_;
  }

  PacsSettings settings(RetrieveMethod method = RetrieveMethod::kMove) const {
    PacsSettings s;
    s.calling_ae = "HAREYAKA";
    s.called_ae = "ORTHANC";
    s.host = "127.0.0.1";
    s.port = dicom_port_;
    s.retrieve = method;
    s.move_destination_ae = "HAREYAKA";
    s.timeout = std::chrono::seconds(20);
    return s;
  }

  static testing::RunningScp* scp_;
  static testing::TempDir* dir_;
  static testing::Child* orthanc_;
  static std::uint16_t dicom_port_, http_port_;
};

testing::RunningScp* OrthancPacs::scp_ = nullptr;
testing::TempDir* OrthancPacs::dir_ = nullptr;
testing::Child* OrthancPacs::orthanc_ = nullptr;
std::uint16_t OrthancPacs::dicom_port_ = 0, OrthancPacs::http_port_ = 0;

TEST_F(OrthancPacs, EchoAndFindAPatientsStudies) {
  PacsClient client(settings(), *scp_->store);
  EXPECT_NO_THROW(client.echo());
  const Dataset ct = read(pydicom_data() / "test_files/CT_small.dcm");
  auto studies = client.find_studies(ct.patient_id);
  ASSERT_EQ(studies.size(), 1u);
  EXPECT_EQ(studies[0].study_uid, ct.study_uid);
  EXPECT_EQ(studies[0].patient_name, "CompressedSamples^CT1");
  EXPECT_EQ(studies[0].modalities, "CT");
  EXPECT_EQ(studies[0].instances, 1u);
  EXPECT_TRUE(client.find_studies("NO-SUCH-PATIENT").empty());
  EXPECT_THROW(client.find_studies("*"), Error);
  // The Japanese name, sent by Orthanc in ISO 2022 IR 87 and decoded here.
  const Dataset jp = read(pydicom_data() / "charset_files/chrH31.dcm");
  auto jp_studies = client.find_studies(jp.patient_id);
  ASSERT_EQ(jp_studies.size(), 1u);
  EXPECT_EQ(jp_studies[0].patient_name, "Yamada^Tarou=山田^太郎=やまだ^たろう");
  // dcmtk's findscu sees the same study.
  auto r = run({"findscu", "-S", "-aet", "FINDSCU", "-aec", "ORTHANC", "-k",
                "QueryRetrieveLevel=STUDY", "-k", "PatientID=" + ct.patient_id, "-k",
                "StudyInstanceUID", "127.0.0.1", std::to_string(dicom_port_)});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find(ct.study_uid), std::string::npos) << r.output;
}

TEST_F(OrthancPacs, MovesAStudyToOurScpOnDemand) {
  PacsClient client(settings(RetrieveMethod::kMove), *scp_->store);
  const Dataset ct = read(pydicom_data() / "test_files/CT_small.dcm");
  ASSERT_FALSE(scp_->store->index().study(ct.study_uid));
  RetrieveResult result = client.retrieve_study(ct.study_uid);
  EXPECT_EQ(result.completed, 1u);
  EXPECT_EQ(result.failed, 0u);
  auto study = scp_->store->index().study(ct.study_uid);
  ASSERT_TRUE(study);
  EXPECT_EQ(study->instance_count, 1u);
  EXPECT_EQ(study->head.patient_name, "CompressedSamples^CT1");
  // dcmtk's movescu drives the same path.
  const Dataset mr = read(pydicom_data() / "test_files/MR_small.dcm");
  auto r = run({"movescu", "-S", "-aet", "HAREYAKA", "-aec", "ORTHANC", "-aem", "HAREYAKA", "-k",
                "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + mr.study_uid, "127.0.0.1",
                std::to_string(dicom_port_)});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(scp_->store->index().study(mr.study_uid));
}

TEST_F(OrthancPacs, GetsAStudyOverTheSameAssociationWhenConfigured) {
  testing::TempDir other;
  DicomStore store(fs::path(other.path()) / "store");
  PacsClient client(settings(RetrieveMethod::kGet), store);
  const Dataset mr = read(pydicom_data() / "test_files/MR_small.dcm");
  RetrieveResult result = client.retrieve_study(mr.study_uid);
  EXPECT_EQ(result.completed, 1u);
  EXPECT_EQ(result.failed, 0u);
  ASSERT_TRUE(store.index().study(mr.study_uid));
  EXPECT_THROW(client.retrieve_study("not-a-uid"), Error);
}

TEST_F(OrthancPacs, AnUnreachablePacsIsAClearError) {
  PacsSettings s = settings();
  s.port = testing::free_port();  // nothing listens there
  s.timeout = std::chrono::seconds(3);
  PacsClient client(s, *scp_->store);
  try {
    client.find_studies("X");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnavailable);
    EXPECT_NE(e.external().find("associating with the PACS"), std::string::npos) << e.external();
  }
}

}  // namespace
}  // namespace hareyaka::gateway::dicom
