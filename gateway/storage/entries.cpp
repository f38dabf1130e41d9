#include "gateway/storage/entries.hpp"

#include <cstdio>

namespace hareyaka::gateway::storage {

ssmix2::FileName FileEntry::file_name(const std::string& patient_id) const {
  ssmix2::FileName n;
  n.patient_id = patient_id;
  n.date = date;
  n.data_type_code = std::string(ssmix2::to_string(type));
  n.type = type;
  n.order_no = order_no;
  n.timestamp = timestamp;
  n.department = department;
  n.condition = condition;
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
