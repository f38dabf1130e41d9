#include "gateway/hosted/received_folder.hpp"

#include <algorithm>
#include <filesystem>

#include "common/digest.hpp"
#include "common/durable_file.hpp"
#include "common/error.hpp"
#include "proto/encoding/dates.hpp"
#include "proto/ssmix2/file_name.hpp"

namespace hareyaka::gateway::hosted {
namespace {

namespace fs = std::filesystem;

std::string digest_of(const std::string& bytes) {
  return sha256_hex(bytes).substr(0, 32);
}

std::string compact(const std::string& iso) {
  std::string out;
  for (char c : iso.substr(0, 10)) {
    if (c >= '0' && c <= '9')
      out += c;
  }
  return out.size() == 8 ? out : "00000000";
}

}  // namespace

ReceivedFolder::ReceivedFolder(std::string root, std::string extension)
    : root_(std::move(root)), extension_(std::move(extension)) {}

std::string ReceivedFolder::digest_of_name(const std::string& name) const {
  const auto us = name.find('_');
  if (us == std::string::npos || name.find('/') != std::string::npos ||
      !name.ends_with(extension_) || name.size() <= us + 1 + extension_.size())
    return "";
  return name.substr(us + 1, name.size() - extension_.size() - us - 1);
}

std::vector<std::string> ReceivedFolder::paths(const std::string& patient_id) const {
  std::vector<std::string> out;
  if (!ssmix2::valid_patient_id(patient_id))
    return out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(root_ + "/" + patient_id, ec)) {
    const std::string n = e.path().filename().string();
    if (e.is_regular_file() && !digest_of_name(n).empty())
      out.push_back(e.path().string());
  }
  std::sort(out.rbegin(), out.rend());  // newest date first
  return out;
}

std::vector<ReceivedFolder::HeldFile> ReceivedFolder::files(const std::string& patient_id) const {
  std::vector<HeldFile> out;
  for (const auto& path : paths(patient_id)) {
    HeldFile f{.name = fs::path(path).filename().string()};
    if (f.name.size() > 8 && f.name[8] == '_' && !f.name.starts_with("00000000"))
      f.date = encoding::iso_date(std::string_view(f.name).substr(0, 8));
    std::error_code ec;
    f.bytes = fs::file_size(path, ec);
    out.push_back(std::move(f));
  }
  return out;
}

bool ReceivedFolder::holds(const std::string& patient_id, const std::string& bytes) const {
  const std::string digest = digest_of(bytes);
  for (const auto& path : paths(patient_id)) {
    if (digest_of_name(fs::path(path).filename().string()) == digest)
      return true;
  }
  return false;
}

bool ReceivedFolder::put(const std::string& patient_id, const std::string& date_iso,
                         const std::string& bytes) {
  if (!ssmix2::valid_patient_id(patient_id))
    throw Error(ErrorCode::kUnprocessable, "the patient id must be letters and digits");
  if (holds(patient_id, bytes))
    return false;
  return write_file_once(
      root_ + "/" + patient_id + "/" + compact(date_iso) + "_" + digest_of(bytes) + extension_,
      bytes);
}

bool ReceivedFolder::withdraw(const std::string& patient_id, const std::string& name) {
  if (!ssmix2::valid_patient_id(patient_id) || digest_of_name(name).empty() ||
      name.starts_with("."))
    return false;
  const std::string dir = root_ + "/" + patient_id;
  std::error_code ec;
  if (!fs::is_regular_file(dir + "/" + name, ec))
    return false;
  fs::rename(dir + "/" + name, dir + "/" + name + ".withdrawn");
  sync_dir(dir);
  return true;
}

std::uint64_t ReceivedFolder::used_bytes() const {
  std::uint64_t n = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root_, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec))
      n += it->file_size(ec);
  }
  return n;
}

}  // namespace hareyaka::gateway::hosted
