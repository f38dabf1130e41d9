// Every file Debian's python3-pydicom installs under pydicom/data, sent by dcmtk's storescu
// to our SCP one association per file: each is stored (then it renders, or says clearly
// why not while the raw DICOM stays retrievable through WADO-URI) or refused with a reason;
// the SCP answers C-ECHO after every file. The same tree through the folder importer, and
// the Japanese (and other) character sets decoded to UTF-8.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>

#include "common/error.hpp"
#include "gateway/dicom/importer.hpp"
#include "gateway/dicom/render.hpp"
#include "gateway/dicom/store.hpp"
#include "gateway/dicom/wado_uri.hpp"
#include "tests/dicom/dicom_test_support.hpp"

namespace hareyaka::gateway::dicom {
namespace {

namespace fs = std::filesystem;
using testing::pydicom_data;
using testing::run;

// The SOP Instance UID DCMTK reads from a file, or empty when it cannot.
std::string sop_of(const fs::path& file) {
  DcmFileFormat ff;
  if (ff.loadFile(file.c_str(), EXS_Unknown, EGL_noChange, 256).bad())
    return {};
  OFString sop;
  ff.getDataset()->findAndGetOFString(DCM_SOPInstanceUID, sop);
  return sop.c_str();
}

// storescu proposes uncompressed syntaxes only unless told which compressed one to offer;
// this picks the option that offers the file's own (so it is sent as stored).
std::string storescu_proposal(const fs::path& file) {
  DcmFileFormat ff;
  if (ff.loadFile(file.c_str(), EXS_Unknown, EGL_noChange, 256).bad())
    return "-x=";
  const std::string ts = DcmXfer(ff.getDataset()->getOriginalXfer()).getXferID();
  static const std::map<std::string, std::string> kOption = {
      {"1.2.840.10008.1.2.5", "-xr"},    {"1.2.840.10008.1.2.4.50", "-xy"},
      {"1.2.840.10008.1.2.4.51", "-xx"}, {"1.2.840.10008.1.2.4.70", "-xs"},
      {"1.2.840.10008.1.2.4.80", "-xt"}, {"1.2.840.10008.1.2.4.81", "-xu"},
      {"1.2.840.10008.1.2.4.90", "-xv"}, {"1.2.840.10008.1.2.4.91", "-xw"},
      {"1.2.840.10008.1.2.1.99", "-xd"},
  };
  auto it = kOption.find(ts);
  return it == kOption.end() ? "-x=" : it->second;
}

bool starts_with(const std::string& s, std::string_view prefix) {
  return s.rfind(prefix, 0) == 0;
}

enum class Outcome { kRendered, kCannotRenderSyntax, kNoPixels, kRefused };

// Stored instance: renders as JPEG and PNG, or gives one of the clear answers; in every case
// WADO-URI application/dicom hands out the stored file.
Outcome check_stored(const DicomStore& store, const InstanceRecord& r, const fs::path& source) {
  SCOPED_TRACE(source.string());
  QueryParams raw = {{"requestType", "WADO"},
                     {"studyUID", r.study_uid},
                     {"seriesUID", r.series_uid},
                     {"objectUID", r.sop_uid},
                     {"contentType", "application/dicom"}};
  WadoResponse dicom = serve_wado_uri(store, parse_wado_uri(raw));
  EXPECT_EQ(dicom.content_type, "application/dicom");
  EXPECT_TRUE(fs::exists(dicom.file));
  EXPECT_GT(fs::file_size(dicom.file), 128u);
  QueryParams jpeg = raw;
  jpeg.back().second = "image/jpeg";
  try {
    WadoResponse image = serve_wado_uri(store, parse_wado_uri(jpeg));
    EXPECT_EQ(image.content_type, "image/jpeg");
    EXPECT_TRUE(starts_with(image.body, "\xFF\xD8\xFF")) << "not a JPEG";
    RenderOptions png;
    png.format = ImageFormat::kPng;
    png.frame = r.frames;  // the last frame too
    auto p = render(store.file_of(r), png);
    EXPECT_TRUE(starts_with(p.bytes, "\x89PNG")) << "not a PNG";
    return Outcome::kRendered;
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kUnprocessable) << e.external();
    if (e.external().find("cannot render this transfer syntax (") != std::string::npos)
      return Outcome::kCannotRenderSyntax;
    EXPECT_EQ(e.external(), "this instance has no pixel data to render");
    EXPECT_EQ(r.frames, 0u);
    return Outcome::kNoPixels;
  }
}

TEST(PydicomFiles, EachIsStoredAndRendersOrIsRefusedWithAReasonAndTheScpSurvives) {
  testing::RunningScp s;
  std::map<Outcome, int> tally;
  const auto files = testing::pydicom_files();
  ASSERT_GT(files.size(), 100u);
  for (const auto& file : files) {
    SCOPED_TRACE(file.string());
    const std::string sop = sop_of(file);
    // -R: propose only the file's SOP class (storescu's full list exceeds the 128
    // presentation contexts of an association, and the rarer classes would be left out).
    auto r = run({"storescu", "-R", storescu_proposal(file), "-d", "-aec", "HAREYAKA", "127.0.0.1",
                  s.port(), file.string()});
    auto record = sop.empty() ? std::nullopt : s.store->index().instance(sop);
    if (record) {
      ++tally[check_stored(*s.store, *record, file)];
    } else {
      ++tally[Outcome::kRefused];
      // Refused by storescu before sending (not DICOM, no SOP class) or by our SCP (its Error
      // Comment is printed by storescu): either way a reason is on record.
      bool local =
          r.output.find("E: ") != std::string::npos || r.output.find("F: ") != std::string::npos;
      bool ours = r.output.find("ErrorComment") != std::string::npos;
      EXPECT_TRUE(local || ours) << r.output;
      std::cout << "refused: " << fs::relative(file, pydicom_data()).string() << "\n";
    }
    ASSERT_TRUE(testing::echo(s.port(), "HAREYAKA")) << "SCP stopped answering after " << file;
  }
  std::cout << "rendered " << tally[Outcome::kRendered] << ", cannot render transfer syntax "
            << tally[Outcome::kCannotRenderSyntax] << ", no pixel data "
            << tally[Outcome::kNoPixels] << ", refused " << tally[Outcome::kRefused] << " of "
            << files.size() << " files\n";
  EXPECT_GT(tally[Outcome::kRendered], 40);
  EXPECT_GT(tally[Outcome::kCannotRenderSyntax], 3);  // the JPEG 2000 files
  EXPECT_GT(tally[Outcome::kRefused], 5);             // README, json, dumps, truncated files
}

TEST(PydicomFiles, FolderImportAccountsForEveryFile) {
  testing::TempDir dir;
  DicomStore store(fs::path(dir.path()) / "store");
  const auto files = testing::pydicom_files();
  ImportReport report = import_folder(store, pydicom_data());
  EXPECT_EQ(report.imported + report.refused + report.dicomdirs, files.size());
  EXPECT_EQ(report.outcomes.size(), files.size());
  EXPECT_GE(report.dicomdirs, 7u);  // dicomdirtests/DICOMDIR* and TINY_ALPHA/DICOMDIR
  for (const auto& o : report.outcomes) {
    SCOPED_TRACE(o.file.string());
    EXPECT_FALSE(o.detail.empty());
    if (o.kind == ImportOutcome::Kind::kImported) {
      auto r = store.index().instance(o.detail);
      ASSERT_TRUE(r);
      check_stored(store, *r, o.file);
    }
  }
  // Files without File Meta Information are imported with a proper header.
  auto no_meta = sop_of(pydicom_data() / "test_files/ExplVR_LitEndNoMeta.dcm");
  ASSERT_TRUE(store.index().instance(no_meta));
  DcmFileFormat ff;
  ASSERT_TRUE(ff.loadFile(store.file_of(*store.index().instance(no_meta)).c_str()).good());
  OFString ts;
  EXPECT_TRUE(ff.getMetaInfo()->findAndGetOFString(DCM_TransferSyntaxUID, ts).good());
}

TEST(PydicomFiles, DicomdirMediaImportTakesTheListedFiles) {
  testing::TempDir dir;
  DicomStore store(fs::path(dir.path()) / "store");
  ImportReport report =
      import_dicomdir(store, pydicom_data() / "test_files/dicomdirtests/TINY_ALPHA/DICOMDIR");
  EXPECT_EQ(report.dicomdirs, 1u);
  EXPECT_EQ(report.imported, 50u) << "TINY_ALPHA lists 50 images";
  EXPECT_EQ(report.refused, 0u);
  EXPECT_EQ(store.index().instance_count(), 50u);
  EXPECT_THROW(import_dicomdir(store, pydicom_data() / "test_files/CT_small.dcm"), Error);
}

TEST(PydicomFiles, PatientNamesInJapaneseAndOtherCharacterSetsAreUtf8) {
  testing::RunningScp s;
  const fs::path dir = pydicom_data() / "charset_files";
  const std::map<std::string, std::string> expected = {
      {"chrH31.dcm", "Yamada^Tarou=山田^太郎=やまだ^たろう"},
      {"chrH32.dcm", "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう"},
      {"chrX1.dcm", "Wang^XiaoDong=王^小東="},
      {"chrX2.dcm", "Wang^XiaoDong=王^小东="},
      {"chrI2.dcm", "Hong^Gildong=洪^吉洞=홍^길동"},
      {"chrGerm.dcm", "Äneas^Rüdiger"},
      {"chrFren.dcm", "Buc^Jérôme"},
      {"chrGreek.dcm", "Διονυσιος"},
      {"chrRuss.dcm", "Люкceмбypг"},
      {"chrHbrw.dcm", "שרון^דבורה"},
      {"chrArab.dcm", "قباني^لنزار"},
  };
  for (const auto& [name, want] : expected) {
    SCOPED_TRACE(name);
    auto r = run({"storescu", "-aec", "HAREYAKA", "127.0.0.1", s.port(), (dir / name).string()});
    ASSERT_EQ(r.exit_code, 0) << r.output;
    auto rec = s.store->index().instance(sop_of(dir / name));
    ASSERT_TRUE(rec);
    EXPECT_EQ(rec->patient_name, want);
  }
  // And QIDO finds the Japanese patient by the ideographic and phonetic groups.
  StudyQuery q;
  q.patient_name = "山田*";
  EXPECT_EQ(s.store->index().find_studies(q).size(), 2u);  // chrH31 and chrH32
  q.patient_name = "ﾔﾏﾀﾞ*";
  EXPECT_EQ(s.store->index().find_studies(q).size(), 1u);
  q.patient_name = "やまだ^たろう";
  EXPECT_EQ(s.store->index().find_studies(q).size(), 2u);
}

}  // namespace
}  // namespace hareyaka::gateway::dicom
