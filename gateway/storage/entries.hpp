// What the storage index remembers about each file: little enough to keep a national-size
// hospital's storage in memory (the content itself is re-read from the file when asked for),
// enough to list, filter by date and find the file again.
#pragma once

#include <cstdint>
#include <string>

#include "proto/ssmix2/data_type.hpp"
#include "proto/ssmix2/file_name.hpp"

namespace hareyaka::gateway::storage {

enum class StorageKind : std::uint8_t { kStandard, kExtended };

// One standard storage file of a patient (its patient id is the key it is stored under).
struct FileEntry {
  std::uint64_t timestamp = 0;  // yyyyMMddHHmmssfff from the file name
  std::int64_t mtime_ns = 0;
  std::uint32_t date = 0;  // yyyymmdd, 0 for "-"
  std::uint32_t size = 0;
  ssmix2::DataType type = ssmix2::DataType::kAdt00;
  ssmix2::Condition condition = ssmix2::Condition::kCurrent;
  std::string order_no;
  std::string department;

  ssmix2::FileName file_name(const std::string& patient_id) const;
};

// One main document in the extended storage.
struct DocumentEntry {
  std::string relative_path;  // from the extended storage root
  std::string id;             // stable opaque id (hash of the path)
  std::int64_t mtime_ns = 0;
  std::uint64_t size = 0;
  std::uint32_t date = 0;
};

enum class ProblemSeverity : std::uint8_t { kWarning, kError };

// A file that cannot be used (error) or is used despite a disagreement (warning).
struct Problem {
  StorageKind storage = StorageKind::kStandard;
  std::string path;    // relative to its storage root
  std::string reason;  // "reason; reason", free of patient data
  ProblemSeverity severity = ProblemSeverity::kError;
  std::int64_t mtime_ns = 0;
  std::uint64_t size = 0;
};

std::string_view to_string(StorageKind kind);
std::string_view to_string(ProblemSeverity severity);
// The document id for a relative path (16 hex digits).
std::string document_id(std::string_view relative_path);

}  // namespace hareyaka::gateway::storage
