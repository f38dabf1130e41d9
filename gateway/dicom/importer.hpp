// Import of existing DICOM files into the store: a folder tree (e.g. an old PACS export), or
// removable media through its DICOMDIR. Every file ends up imported, or refused with a
// reason, or recognised as a media directory; nothing stops the import half-way.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace hareyaka::gateway::dicom {

class DicomStore;

struct ImportOutcome {
  enum class Kind { kImported, kRefused, kDicomdir };
  std::filesystem::path file;
  Kind kind = Kind::kRefused;
  std::string detail;  // SOP Instance UID when imported, the reason when refused
};

struct ImportReport {
  std::size_t imported = 0;
  std::size_t refused = 0;
  std::size_t dicomdirs = 0;
  // One entry per file, up to kMaxOutcomes (the counters above are always complete).
  std::vector<ImportOutcome> outcomes;
  static constexpr std::size_t kMaxOutcomes = 10000;
};

// Walks folder (recursively) and imports every regular file. A DICOMDIR is recognised and
// not stored (the files it references are found by the walk itself).
ImportReport import_folder(DicomStore& store, const std::filesystem::path& folder);

// Imports the files referenced by a DICOMDIR (media import: only what the directory lists,
// paths resolved relative to the DICOMDIR's folder). A missing or unreadable DICOMDIR
// throws Error(kUnprocessable).
ImportReport import_dicomdir(DicomStore& store, const std::filesystem::path& dicomdir);

// True when the file is a DICOMDIR (Media Storage Directory Storage).
bool is_dicomdir(const std::filesystem::path& file);

}  // namespace hareyaka::gateway::dicom
