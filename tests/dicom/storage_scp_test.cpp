// The storage SCP against dcmtk's echoscu and storescu (real processes, real sockets).
#include "gateway/dicom/storage_scp.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmnet/scu.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "gateway/dicom/store.hpp"
#include "tests/dicom/dicom_test_support.hpp"

namespace hareyaka::gateway::dicom {
namespace {

namespace fs = std::filesystem;
using testing::echo;
using testing::pydicom_data;
using testing::run;
using testing::RunningScp;

const fs::path kCt = pydicom_data() / "test_files/CT_small.dcm";
const fs::path kMr = pydicom_data() / "test_files/MR_small.dcm";

testing::RunResult storescu(const std::string& port, const std::vector<std::string>& files,
                            const std::string& called = "HAREYAKA",
                            const std::string& calling = "STORESCU") {
  // -d: storescu prints the response's status detail (our Error Comment) only at debug level.
  std::vector<std::string> argv = {"storescu", "-d",   "-aet",      calling,
                                   "-aec",     called, "127.0.0.1", port};
  argv.insert(argv.end(), files.begin(), files.end());
  return run(argv);
}

std::string sop_of(const fs::path& file) {
  DcmFileFormat ff;
  EXPECT_TRUE(ff.loadFile(file.c_str()).good());
  OFString sop;
  ff.getDataset()->findAndGetOFString(DCM_SOPInstanceUID, sop);
  return sop.c_str();
}

TEST(StorageScp, AnswersEchoOnAnEphemeralPortAndChecksTheCalledAe) {
  RunningScp s;
  EXPECT_NE(s.scp->port(), 0);
  EXPECT_TRUE(echo(s.port(), "HAREYAKA"));
  EXPECT_FALSE(echo(s.port(), "SOMEONE_ELSE"));
  EXPECT_TRUE(echo(s.port(), "HAREYAKA"));  // still serving
}

TEST(StorageScp, AMixedAssociationIsAcceptedWithOnlyItsUnsupportedContextsRejected) {
  // An SCU that proposes Study Root C-FIND beside CT storage (PS3.8: the association is
  // accepted, each unsupported context is rejected on its own).
  RunningScp s;
  DcmSCU scu;
  scu.setAETitle("STORESCU");
  scu.setPeerAETitle("HAREYAKA");
  scu.setPeerHostName("127.0.0.1");
  scu.setPeerPort(static_cast<Uint16>(std::stoi(s.port())));
  OFList<OFString> syntaxes;
  syntaxes.push_back(UID_LittleEndianExplicitTransferSyntax);
  syntaxes.push_back(UID_LittleEndianImplicitTransferSyntax);
  ASSERT_TRUE(scu.addPresentationContext(UID_FINDStudyRootQueryRetrieveInformationModel, syntaxes)
                  .good());
  ASSERT_TRUE(scu.addPresentationContext(UID_CTImageStorage, syntaxes).good());
  ASSERT_TRUE(scu.initNetwork().good());
  const OFCondition negotiated = scu.negotiateAssociation();
  ASSERT_TRUE(negotiated.good()) << negotiated.text();
  EXPECT_EQ(scu.findPresentationContextID(UID_FINDStudyRootQueryRetrieveInformationModel, ""), 0)
      << "C-FIND is not offered, so its context is not accepted";
  const T_ASC_PresentationContextID ct = scu.findPresentationContextID(UID_CTImageStorage, "");
  ASSERT_NE(ct, 0);
  Uint16 status = 0xFFFF;
  EXPECT_TRUE(scu.sendSTORERequest(ct, kCt.c_str(), nullptr, status).good());
  EXPECT_EQ(status, 0x0000);
  scu.releaseAssociation();
  EXPECT_EQ(s.store->index().instance_count(), 1u);
}

TEST(StorageScp, RefusesCallingAesOutsideTheAllowList) {
  RunningScp s(ScpSettings{.allowed_calling_aes = {"CT_ROOM_1"}});
  EXPECT_FALSE(echo(s.port(), "HAREYAKA", "INTRUDER"));
  EXPECT_TRUE(echo(s.port(), "HAREYAKA", "CT_ROOM_1"));
  auto r = storescu(s.port(), {kCt.string()}, "HAREYAKA", "INTRUDER");
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_EQ(s.store->index().instance_count(), 0u);
}

TEST(StorageScp, AnEmptyAllowListAdmitsNobodyAndStarAdmitsAny) {
  RunningScp none(ScpSettings{.allowed_calling_aes = {}});
  EXPECT_FALSE(echo(none.port(), "HAREYAKA", "ECHOSCU"));
  auto r = storescu(none.port(), {kCt.string()}, "HAREYAKA", "STORESCU");
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_EQ(none.store->index().instance_count(), 0u);
  RunningScp any(ScpSettings{.allowed_calling_aes = {"*"}});
  EXPECT_TRUE(echo(any.port(), "HAREYAKA", "ANYONE"));
}

TEST(StorageScp, StoresByUidIndexesAndSurvivesRestart) {
  RunningScp s;
  auto r = storescu(s.port(), {kCt.string(), kMr.string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_EQ(s.store->index().instance_count(), 2u);
  auto ct = s.store->index().instance(sop_of(kCt));
  ASSERT_TRUE(ct);
  EXPECT_EQ(ct->path, ct->study_uid + "/" + ct->series_uid + "/" + ct->sop_uid + ".dcm");
  EXPECT_TRUE(fs::exists(s.store->file_of(*ct)));
  EXPECT_EQ(ct->modality, "CT");
  EXPECT_EQ(ct->patient_name, "CompressedSamples^CT1");
  EXPECT_EQ(ct->rows, 128u);
  EXPECT_TRUE(fs::is_empty(s.store->incoming_dir()));
  const fs::path root = s.store->root();
  s.scp->stop();
  {
    DicomStore reopened(root);  // from the journal
    EXPECT_EQ(reopened.index().instance_count(), 2u);
    EXPECT_TRUE(reopened.index().study(ct->study_uid));
  }
  fs::remove(root / "index.jsonl");
  DicomStore rebuilt(root);  // from the files
  EXPECT_EQ(rebuilt.index().instance_count(), 2u);
  EXPECT_EQ(rebuilt.index().instance(ct->sop_uid)->patient_name, "CompressedSamples^CT1");
}

TEST(StorageScp, ServesSeveralAssociationsAtOnce) {
  RunningScp s;
  std::vector<fs::path> files;
  for (const auto& e :
       fs::recursive_directory_iterator(pydicom_data() / "test_files/dicomdirtests"))
    if (e.is_regular_file() && e.path().filename().string().find("DICOMDIR") == std::string::npos &&
        e.path().filename() != "README" && e.path().extension() != ".txt")
      files.push_back(e.path());
  ASSERT_GT(files.size(), 40u);
  constexpr int kPeers = 4;
  std::vector<testing::Child> peers;
  testing::TempDir logs;
  for (int p = 0; p < kPeers; ++p) {
    std::vector<std::string> argv = {"storescu", "-aec", "HAREYAKA", "127.0.0.1", s.port()};
    for (std::size_t i = p; i < files.size(); i += kPeers)
      argv.push_back(files[i].string());
    peers.emplace_back(argv, logs.path() + "/peer" + std::to_string(p) + ".log");
  }
  for (auto& peer : peers) {
    auto code = peer.wait_for(std::chrono::seconds(60));
    ASSERT_TRUE(code);
    EXPECT_EQ(*code, 0);
  }
  EXPECT_EQ(s.store->index().instance_count(), files.size());
  EXPECT_GE(s.scp->counters().associations, static_cast<std::uint64_t>(kPeers));
}

TEST(StorageScp, RefusesBrokenDatasetsWithAReasonAndKeepsServing) {
  RunningScp s;
  testing::TempDir tmp;
  // No Study Instance UID.
  DcmFileFormat no_study;
  ASSERT_TRUE(no_study.loadFile(kCt.c_str()).good());
  no_study.getDataset()->findAndDeleteElement(DCM_StudyInstanceUID);
  const std::string no_study_path = tmp.path() + "/no_study.dcm";
  ASSERT_TRUE(no_study.saveFile(no_study_path.c_str()).good());
  // Pixel data shorter than Rows × Columns promise.
  DcmFileFormat short_pixels;
  ASSERT_TRUE(short_pixels.loadFile(kMr.c_str()).good());
  short_pixels.getDataset()->putAndInsertUint16(DCM_Rows, 4096);
  const std::string short_path = tmp.path() + "/short.dcm";
  ASSERT_TRUE(short_pixels.saveFile(short_path.c_str()).good());

  auto r = storescu(s.port(), {no_study_path});
  EXPECT_NE(r.output.find("missing Study Instance UID"), std::string::npos) << r.output;
  r = storescu(s.port(), {short_path});
  EXPECT_NE(r.output.find("pixel data holds"), std::string::npos) << r.output;
  EXPECT_EQ(s.store->index().instance_count(), 0u);
  EXPECT_EQ(s.scp->counters().refused, 2u);
  EXPECT_TRUE(fs::is_empty(s.store->incoming_dir()));
  EXPECT_TRUE(echo(s.port(), "HAREYAKA"));
  r = storescu(s.port(), {kCt.string()});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(s.store->index().instance_count(), 1u);
}

}  // namespace
}  // namespace hareyaka::gateway::dicom
