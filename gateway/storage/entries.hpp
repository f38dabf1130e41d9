// What the storage index remembers about each file: little enough to keep a national-size
// hospital's storage in memory (the content itself is re-read from the file when asked for),
// enough to list, filter by date and find the file again.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "proto/ssmix2/data_type.hpp"
#include "proto/ssmix2/file_name.hpp"

namespace hareyaka::gateway::storage {

enum class StorageKind : std::uint8_t { kStandard, kExtended };

// Short text of letters, digits and '-' packed 6 bits per character (the alphabet of the
// SS-MIX2 file-name parts), so an order number costs 16 bytes instead of a std::string's 32.
template <std::size_t Bytes>
class PackedText {
 public:
  static constexpr std::size_t kCapacity = Bytes * 8 / 6;
  // nullopt when the text is too long or has another character.
  static std::optional<PackedText> pack(std::string_view text);
  std::string str() const;
  bool operator==(const PackedText&) const = default;

 private:
  std::array<std::uint8_t, Bytes> bits_{};
};

// One standard storage file of a patient (its patient id is the key it is stored under).
// Kept small on purpose (48 bytes): a large hospital has millions of files.
class FileEntry {
 public:
  // Order numbers up to 21 characters and department codes up to 10 (SS-MIX2 uses 15 and
  // 2); nullopt for a name with longer parts.
  static std::optional<FileEntry> make(const ssmix2::FileName& name, std::int64_t mtime_ns,
                                       std::uint64_t size);

  std::uint32_t date() const { return packed_ >> 7; }  // yyyymmdd, 0 for "-"
  ssmix2::DataType type() const { return static_cast<ssmix2::DataType>((packed_ >> 2) & 0x1f); }
  ssmix2::Condition condition() const { return static_cast<ssmix2::Condition>(packed_ & 3); }
  std::string order_no() const { return order_no_.str(); }
  std::string department() const { return department_.str(); }
  // Same file name (everything but mtime and size).
  bool same_name(const FileEntry& o) const {
    return timestamp == o.timestamp && packed_ == o.packed_ && order_no_ == o.order_no_ &&
           department_ == o.department_;
  }
  // Same date, data type and order number (what a deletion flag applies to).
  bool same_order(const FileEntry& o) const {
    return (packed_ >> 2) == (o.packed_ >> 2) && order_no_ == o.order_no_;
  }
  ssmix2::FileName file_name(const std::string& patient_id) const;

  std::uint64_t timestamp = 0;  // yyyyMMddHHmmssfff from the file name
  std::int64_t mtime_ns = 0;
  std::uint32_t size = 0;

 private:
  std::uint32_t packed_ = 0;  // date << 7 | type << 2 | condition
  PackedText<16> order_no_;
  PackedText<8> department_;
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
