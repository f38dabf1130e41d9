#include "gateway/dicom/store.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <unistd.h>

#include <map>
#include <set>
#include <system_error>

#include "common/error.hpp"
#include "common/log.hpp"
#include "gateway/dicom/condition.hpp"

namespace hareyaka::gateway::dicom {
namespace fs = std::filesystem;

namespace {

// Values longer than this stay on disk while we read a file's attributes (pixel data is
// never loaded just to index an instance).
constexpr Uint32 kMaxReadLength = 4096;

struct Loaded {
  DcmFileFormat file;
  std::string transfer_syntax_uid;
  bool has_meta = false;
};

void load(Loaded& out, const fs::path& path) {
  OFCondition cond =
      out.file.loadFile(path.c_str(), EXS_Unknown, EGL_noChange, kMaxReadLength, ERM_autoDetect);
  if (cond.bad()) {
    throw Error(ErrorCode::kUnprocessable, "not a readable DICOM file: " + condition_text(cond),
                "reading " + path.string() + ": " + condition_text(cond));
  }
  DcmXfer xfer(out.file.getDataset()->getOriginalXfer());
  out.transfer_syntax_uid = xfer.getXferID();
  OFString meta_ts;
  out.has_meta =
      out.file.getMetaInfo()->findAndGetOFString(DCM_TransferSyntaxUID, meta_ts).good() &&
      !meta_ts.empty();
}

void unlink_quietly(const fs::path& p) {
  std::error_code ec;
  fs::remove(p, ec);
}

}  // namespace

DicomStore::DicomStore(fs::path root) : root_(std::move(root)), index_(root_ / "index.jsonl") {
  fs::create_directories(incoming_dir());
  // Leftovers of a crash mid-receive are incomplete by definition.
  for (const auto& e : fs::directory_iterator(incoming_dir()))
    unlink_quietly(e.path());
  if (!index_.loaded_cleanly())
    rescan();
}

fs::path DicomStore::new_incoming_path() {
  return incoming_dir() /
         (std::to_string(::getpid()) + "-" + std::to_string(counter_.fetch_add(1)) + ".part");
}

void DicomStore::ensure_dir(const fs::path& dir) {
  constexpr std::size_t kMaxKnownDirs = 100000;
  {
    std::lock_guard lock(dirs_mutex_);
    if (known_dirs_.count(dir.native()))
      return;
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    return;  // the write that follows reports the failure
  std::lock_guard lock(dirs_mutex_);
  if (known_dirs_.size() >= kMaxKnownDirs)
    known_dirs_.clear();
  known_dirs_.insert(dir.native());
}

InstanceRecord DicomStore::place(const fs::path& tmp, InstanceRecord record) {
  fs::path rel = fs::path(record.study_uid) / record.series_uid / (record.sop_uid + ".dcm");
  fs::path dest = root_ / rel;
  std::error_code ec;
  // Checked before the rename: a conflicting instance must not replace a stored file of
  // another patient (the caller deletes tmp on the refusal).
  std::lock_guard place_lock(place_mutex_);
  if (auto why = index_.conflict(record)) {
    log::warn("DICOM instance refused: it conflicts with what is stored",
              {.component = "dicom", .detail = *why, .file = record.sop_uid});
    throw Error(ErrorCode::kConflict, "instance refused: " + *why,
                "instance " + record.sop_uid + " of study " + record.study_uid + ": " + *why);
  }
  ensure_dir(dest.parent_path());
  record.size_bytes = fs::file_size(tmp, ec);
  fs::rename(tmp, dest, ec);
  if (ec) {
    unlink_quietly(tmp);
    throw Error(ErrorCode::kInternal, "cannot write to the DICOM storage folder",
                "rename into " + dest.string() + ": " + ec.message());
  }
  record.path = rel.string();
  index_.add(record);
  if (on_indexed_)
    on_indexed_(record);
  return record;
}

InstanceRecord DicomStore::adopt(const fs::path& incoming_file,
                                 const std::string& expected_sop_uid) {
  try {
    Loaded loaded;
    load(loaded, incoming_file);
    InstanceRecord record = extract_record(*loaded.file.getDataset(), loaded.transfer_syntax_uid);
    if (!expected_sop_uid.empty() && record.sop_uid != expected_sop_uid) {
      throw Error(ErrorCode::kUnprocessable,
                  "SOP Instance UID in the dataset differs from the C-STORE request's");
    }
    return place(incoming_file, std::move(record));
  } catch (...) {
    unlink_quietly(incoming_file);
    throw;
  }
}

InstanceRecord DicomStore::store_received(DcmFileFormat& file,
                                          const std::string& transfer_syntax_uid,
                                          const std::string& expected_sop_uid) {
  InstanceRecord record = extract_record(*file.getDataset(), transfer_syntax_uid);
  if (!expected_sop_uid.empty() && record.sop_uid != expected_sop_uid) {
    throw Error(ErrorCode::kUnprocessable,
                "SOP Instance UID in the dataset differs from the C-STORE request's");
  }
  // Written beside its final name, so the rename stays within one directory (cheaper for
  // the file system than a move out of .incoming); rescan() clears leftovers.
  fs::path dir = root_ / record.study_uid / record.series_uid;
  ensure_dir(dir);
  fs::path tmp =
      dir / ("." + record.sop_uid + "." + std::to_string(counter_.fetch_add(1)) + ".part");
  try {
    DcmXfer xfer(transfer_syntax_uid.c_str());
    auto save = [&] {
      return file.saveFile(tmp.c_str(), xfer.getXfer(), EET_ExplicitLength, EGL_recalcGL,
                           EPD_noChange, 0, 0, EWM_createNewMeta);
    };
    OFCondition cond = save();
    if (cond.bad() && !fs::exists(dir)) {
      // The folder was removed behind our back (remembered by ensure_dir): make it again.
      {
        std::lock_guard lock(dirs_mutex_);
        known_dirs_.erase(dir.native());
      }
      ensure_dir(dir);
      cond = save();
    }
    check(cond, "writing the received DICOM file", ErrorCode::kInternal);
    return place(tmp, std::move(record));
  } catch (...) {
    unlink_quietly(tmp);
    throw;
  }
}

InstanceRecord DicomStore::import_file(const fs::path& file) {
  Loaded loaded;
  load(loaded, file);
  InstanceRecord record = extract_record(*loaded.file.getDataset(), loaded.transfer_syntax_uid);
  fs::path tmp = new_incoming_path();
  try {
    OFString meta_sop;
    loaded.file.getMetaInfo()->findAndGetOFString(DCM_MediaStorageSOPInstanceUID, meta_sop);
    if (loaded.has_meta && record.sop_uid == meta_sop.c_str()) {
      fs::copy_file(file, tmp);  // bit-preserving
    } else {
      // No (or an inconsistent) File Meta Information: write a proper Part 10 file in the
      // dataset's own transfer syntax. Values left on disk by lazy loading are read now.
      loaded.file.loadAllDataIntoMemory();
      DcmXfer xfer(record.transfer_syntax_uid.c_str());
      check(loaded.file.saveFile(tmp.c_str(), xfer.getXfer(), EET_ExplicitLength, EGL_recalcGL,
                                 EPD_noChange, 0, 0, EWM_updateMeta),
            "writing the imported DICOM file", ErrorCode::kUnprocessable);
    }
    return place(tmp, std::move(record));
  } catch (...) {
    unlink_quietly(tmp);
    throw;
  }
}

std::size_t DicomStore::rescan() {
  std::vector<InstanceRecord> records;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root_, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec)
      break;
    if (it->is_directory() && it->path() == incoming_dir()) {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file() || it->path().extension() != ".dcm")
      continue;
    try {
      Loaded loaded;
      load(loaded, it->path());
      InstanceRecord r = extract_record(*loaded.file.getDataset(), loaded.transfer_syntax_uid);
      r.path = fs::relative(it->path(), root_).string();
      r.size_bytes = it->file_size();
      records.push_back(std::move(r));
    } catch (const Error& e) {
      log::warn("skipping an unreadable file in the DICOM storage folder",
                {.component = "dicom", .detail = e.internal(), .file = it->path().string()});
    }
  }
  // Files of one study with several patients (left by a version that re-keyed studies, or
  // put there by hand) are not served at all: which patient is right cannot be known here.
  std::map<std::string, std::pair<std::string, std::string>> patient_of;
  std::set<std::string> conflicted;
  for (const auto& r : records) {
    auto [it, fresh] =
        patient_of.emplace(r.study_uid, std::pair{r.patient_id, r.issuer_of_patient_id});
    if (!fresh && it->second != std::pair{r.patient_id, r.issuer_of_patient_id})
      conflicted.insert(r.study_uid);
  }
  for (const auto& study : conflicted)
    log::error("DICOM study left out of the index: its files name more than one patient",
               {.component = "dicom", .file = study});
  std::erase_if(records, [&](const InstanceRecord& r) { return conflicted.count(r.study_uid); });
  index_.replace_all(records);
  log::info("DICOM index rebuilt from the storage folder",
            {.component = "dicom", .count = static_cast<std::int64_t>(records.size())});
  return records.size();
}

}  // namespace hareyaka::gateway::dicom
