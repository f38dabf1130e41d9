#include "gateway/dicom/importer.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcuid.h>

#include "common/error.hpp"
#include "gateway/dicom/condition.hpp"
#include "gateway/dicom/store.hpp"

namespace hareyaka::gateway::dicom {
namespace fs = std::filesystem;

namespace {

void note(ImportReport& report, ImportOutcome outcome) {
  switch (outcome.kind) {
    case ImportOutcome::Kind::kImported:
      ++report.imported;
      break;
    case ImportOutcome::Kind::kRefused:
      ++report.refused;
      break;
    case ImportOutcome::Kind::kDicomdir:
      ++report.dicomdirs;
      break;
  }
  if (report.outcomes.size() < ImportReport::kMaxOutcomes)
    report.outcomes.push_back(std::move(outcome));
}

void import_one(DicomStore& store, const fs::path& file, ImportReport& report) {
  try {
    auto record = store.import_file(file);
    note(report, {file, ImportOutcome::Kind::kImported, record.sop_uid});
  } catch (const Error& e) {
    note(report, {file, ImportOutcome::Kind::kRefused, e.external()});
  } catch (const std::exception& e) {
    note(report, {file, ImportOutcome::Kind::kRefused, e.what()});
  }
}

}  // namespace

bool is_dicomdir(const fs::path& file) {
  DcmFileFormat ff;
  // Only the meta header is needed.
  if (ff.loadFileUntilTag(file.c_str(), EXS_Unknown, EGL_noChange, 256, ERM_autoDetect,
                          DCM_SpecificCharacterSet)
          .bad()) {
    return false;
  }
  OFString sop_class;
  ff.getMetaInfo()->findAndGetOFString(DCM_MediaStorageSOPClassUID, sop_class);
  if (sop_class == UID_MediaStorageDirectoryStorage)
    return true;
  return ff.getDataset()->tagExists(DCM_DirectoryRecordSequence);
}

ImportReport import_folder(DicomStore& store, const fs::path& folder) {
  ImportReport report;
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) {
    throw Error(ErrorCode::kBadRequest, "import folder does not exist or is not a folder");
  }
  for (auto it = fs::recursive_directory_iterator(
           folder, fs::directory_options::skip_permission_denied, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) {
      note(report, {it->path(), ImportOutcome::Kind::kRefused, "cannot read: " + ec.message()});
      ec.clear();
      continue;
    }
    if (!it->is_regular_file())
      continue;
    if (is_dicomdir(it->path())) {
      note(report, {it->path(), ImportOutcome::Kind::kDicomdir,
                    "media directory; its referenced files are imported by the folder walk"});
      continue;
    }
    import_one(store, it->path(), report);
  }
  return report;
}

ImportReport import_dicomdir(DicomStore& store, const fs::path& dicomdir) {
  DcmFileFormat ff;
  check(ff.loadFile(dicomdir.c_str()), "reading the DICOMDIR", ErrorCode::kUnprocessable);
  DcmSequenceOfItems* records = nullptr;
  if (ff.getDataset()->findAndGetSequence(DCM_DirectoryRecordSequence, records).bad() || !records) {
    throw Error(ErrorCode::kUnprocessable, "DICOMDIR has no Directory Record Sequence");
  }
  ImportReport report;
  note(report, {dicomdir, ImportOutcome::Kind::kDicomdir, "media directory"});
  const fs::path base = dicomdir.parent_path();
  for (unsigned long i = 0; i < records->card(); ++i) {
    DcmItem* item = records->getItem(i);
    OFString id;
    if (item->findAndGetOFStringArray(DCM_ReferencedFileID, id).bad() || id.empty())
      continue;
    // ReferencedFileID is a multi-valued CS of path components ("PT000000\ST000000\...").
    fs::path rel;
    std::string s = id.c_str();
    std::size_t start = 0;
    bool safe = true;
    for (;;) {
      std::size_t sep = s.find('\\', start);
      std::string part = s.substr(start, sep == std::string::npos ? sep : sep - start);
      if (part.empty() || part == "." || part == ".." || part.find('/') != std::string::npos)
        safe = false;
      rel /= part;
      if (sep == std::string::npos)
        break;
      start = sep + 1;
    }
    if (!safe) {
      note(report, {base / rel, ImportOutcome::Kind::kRefused,
                    "Referenced File ID is not a plain relative path"});
      continue;
    }
    fs::path file = base / rel;
    if (!fs::exists(file)) {
      note(report, {file, ImportOutcome::Kind::kRefused, "file listed in the DICOMDIR is missing"});
      continue;
    }
    import_one(store, file, report);
  }
  return report;
}

}  // namespace hareyaka::gateway::dicom
