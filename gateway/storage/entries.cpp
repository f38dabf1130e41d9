#include "gateway/storage/entries.hpp"

#include <algorithm>
#include <cstdio>

namespace hareyaka::gateway::storage {

namespace {

constexpr std::string_view kAlphabet =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-";  // codes 1..63

}  // namespace

template <std::size_t Bytes>
std::optional<PackedText<Bytes>> PackedText<Bytes>::pack(std::string_view text) {
  if (text.size() > kCapacity)
    return std::nullopt;
  PackedText p;
  for (std::size_t i = 0; i < text.size(); ++i) {
    std::size_t code = kAlphabet.find(text[i]);
    if (code == std::string_view::npos)
      return std::nullopt;
    code += 1;  // 0 ends the text
    for (int b = 0; b < 6; ++b) {
      if (code & (1u << b)) {
        std::size_t bit = i * 6 + b;
        p.bits_[bit / 8] |= static_cast<std::uint8_t>(1u << (bit % 8));
      }
    }
  }
  return p;
}

template <std::size_t Bytes>
std::string PackedText<Bytes>::str() const {
  std::string out;
  for (std::size_t i = 0; i < kCapacity; ++i) {
    unsigned code = 0;
    for (int b = 0; b < 6; ++b) {
      std::size_t bit = i * 6 + b;
      if (bits_[bit / 8] & (1u << (bit % 8)))
        code |= 1u << b;
    }
    if (code == 0)
      break;
    out += kAlphabet[code - 1];
  }
  return out;
}

template class PackedText<16>;
template class PackedText<8>;

std::optional<FileEntry> FileEntry::make(const ssmix2::FileName& name, std::int64_t mtime_ns,
                                         std::uint64_t size) {
  if (!name.type)
    return std::nullopt;
  auto order = PackedText<16>::pack(name.order_no);
  auto dept = PackedText<8>::pack(name.department);
  if (!order || !dept)
    return std::nullopt;
  FileEntry e;
  e.timestamp = name.timestamp;
  e.mtime_ns = mtime_ns;
  e.size = static_cast<std::uint32_t>(std::min<std::uint64_t>(size, UINT32_MAX));
  e.packed_ = name.date << 7 | static_cast<std::uint32_t>(*name.type) << 2 |
              static_cast<std::uint32_t>(name.condition);
  e.order_no_ = *order;
  e.department_ = *dept;
  return e;
}

ssmix2::FileName FileEntry::file_name(const std::string& patient_id) const {
  ssmix2::FileName n;
  n.patient_id = patient_id;
  n.date = date();
  n.data_type_code = std::string(ssmix2::to_string(type()));
  n.type = type();
  n.order_no = order_no();
  n.timestamp = timestamp;
  n.department = department();
  n.condition = condition();
  return n;
}

std::string_view to_string(StorageKind kind) {
  return kind == StorageKind::kStandard ? "standard" : "extended";
}

std::string_view to_string(ProblemSeverity severity) {
  return severity == ProblemSeverity::kError ? "error" : "warning";
}

std::string document_id(std::string_view relative_path) {
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a 64
  for (unsigned char c : relative_path) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace hareyaka::gateway::storage
