// The gateway's DICOM text is valid UTF-8 whatever a file declares: bytes that are not
// valid in the declared character set (or in none) become U+FFFD, so the index journal
// and the JSON answers never meet invalid UTF-8 (found by the dicom fuzz target: such a
// file was placed in the store, then the index write threw and the instance was lost from
// the index while its file stayed).
#include "gateway/dicom/charset.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "gateway/dicom/store.hpp"
#include "tests/support/process.hpp"

namespace hareyaka::gateway::dicom {
namespace {

TEST(DicomCharset, InvalidBytesBecomeReplacementCharacters) {
  EXPECT_EQ(TextDecoder("").to_utf8("AB\xff\xfe"
                                    "C",
                                    false),
            "AB\xEF\xBF\xBD\xEF\xBF\xBD"
            "C");
  EXPECT_EQ(TextDecoder("ISO_IR 192").to_utf8("\xe5\xb1\xb1\xe7", true),
            "\xe5\xb1\xb1\xEF\xBF\xBD");  // 山 and a cut-off sequence
  EXPECT_EQ(TextDecoder("ISO_IR 192").to_utf8("\xed\xa0\x80", false),
            "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate is not UTF-8
  EXPECT_EQ(TextDecoder("ISO_IR 192").to_utf8("山田^太郎", true), "山田^太郎");
  EXPECT_EQ(TextDecoder("ISO_IR 100").to_utf8("M\xfcller", true), "Müller");
}

TEST(DicomCharset, AFileWithInvalidUtf8IsIndexedNotLost) {
  testing::TempDir dir;
  DicomStore store(std::filesystem::path(dir.path()) / "store");
  DcmFileFormat ff;
  auto* ds = ff.getDataset();
  char study[65], series[65], sop[65];
  dcmGenerateUniqueIdentifier(study);
  dcmGenerateUniqueIdentifier(series);
  dcmGenerateUniqueIdentifier(sop);
  ds->putAndInsertString(DCM_SOPClassUID, UID_SecondaryCaptureImageStorage);
  ds->putAndInsertString(DCM_SOPInstanceUID, sop);
  ds->putAndInsertString(DCM_StudyInstanceUID, study);
  ds->putAndInsertString(DCM_SeriesInstanceUID, series);
  ds->putAndInsertString(DCM_SpecificCharacterSet, "ISO_IR 192");
  ds->putAndInsertString(DCM_PatientID, "P1");
  ds->putAndInsertString(DCM_PatientName, "Bad\xff^Name");
  ds->putAndInsertString(DCM_StudyDescription, "\xc3");
  ds->putAndInsertString(DCM_Modality, "O\xb4");  // an ASCII-only VR with another byte
  const auto file = std::filesystem::path(dir.path()) / "bad.dcm";
  ASSERT_TRUE(ff.saveFile(file.c_str(), EXS_LittleEndianExplicit).good());

  const auto record = store.import_file(file);
  EXPECT_EQ(record.patient_id, "P1");
  EXPECT_NO_THROW((void)nlohmann::json(record).dump());
  DicomStore reopened(std::filesystem::path(dir.path()) /
                      "store");  // the journal it wrote reads back
  EXPECT_EQ(reopened.index().instance_count(), 1u);
}

}  // namespace
}  // namespace hareyaka::gateway::dicom
