#include "gateway/hosted/ssmix2_upload.hpp"

#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <memory>
#include <set>

#include "common/durable_file.hpp"
#include "common/error.hpp"
#include "common/uuid.hpp"
#include "gateway/storage/scanner.hpp"
#include "proto/encoding/dates.hpp"

namespace hareyaka::gateway::hosted {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::size_t kReportsKept = 200;

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};

std::vector<std::string> split(std::string_view s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const auto slash = s.find('/', start);
    out.emplace_back(s.substr(start, slash == std::string_view::npos ? s.npos : slash - start));
    if (slash == std::string_view::npos)
      return out;
    start = slash + 1;
  }
}

// The standard-storage path a zip entry names: its last six components
// (<3>/<3>/<patient>/<date>/<type>/<file>), whatever folder the zip put them in. Sets
// `status`/`reason` when the entry is refused or ignored.
std::string storage_path_of(const std::string& name, UploadFile& f) {
  if (name.empty() || name.front() == '/' || name.find('\\') != std::string::npos ||
      name.find('\0') != std::string::npos) {
    f.status = "rejected";
    f.reason = "unsafe name: absolute, or with a backslash";
    return {};
  }
  const auto parts = split(name);
  for (const auto& p : parts) {
    if (p.empty() || p == "." || p == "..") {
      f.status = "rejected";
      f.reason = "unsafe name: an empty, '.' or '..' component";
      return {};
    }
  }
  for (const auto& p : parts) {
    if (p.front() == '.' || p == "__MACOSX") {
      f.status = "ignored";
      f.reason = "hidden file";
      return {};
    }
  }
  if (parts.size() < 6) {
    f.status = "rejected";
    f.reason =
        "not in a standard-storage folder: expected .../<3 digits>/<3 digits>/<patient id>/"
        "<date or ->/<data type>/<file name>";
    return {};
  }
  std::string rel;
  for (std::size_t i = parts.size() - 6; i < parts.size(); ++i)
    rel += (rel.empty() ? "" : "/") + parts[i];
  return rel;
}

// A report's file name: sorted by arrival (milliseconds since the epoch, zero-padded).
std::string report_name(const std::string& upload_id) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  std::string n = std::to_string(ms);
  return std::string(16 - std::min<std::size_t>(16, n.size()), '0') + n + "_" + upload_id + ".json";
}

}  // namespace

void UploadReport::tally() {
  stored = unchanged = rejected = ignored = 0;
  for (const auto& f : files) {
    stored += f.status == "stored";
    unchanged += f.status == "unchanged";
    rejected += f.status == "rejected";
    ignored += f.status == "ignored";
  }
}

int UploadReport::status() const {
  if (!error.empty())
    return error_status;
  return accepted() ? 200 : 422;
}

json UploadReport::to_json() const {
  json files_json = json::array();
  for (const auto& f : files) {
    json j{{"name", f.name}, {"status", f.status}};
    if (!f.path.empty())
      j["path"] = f.path;
    if (!f.reason.empty())
      j["reason"] = f.reason;
    files_json.push_back(std::move(j));
  }
  json j{{"upload_id", upload_id}, {"received_at", received_at}, {"bytes", bytes},
         {"accepted", accepted()}, {"stored", stored},           {"unchanged", unchanged},
         {"rejected", rejected},   {"ignored", ignored},         {"files", std::move(files_json)}};
  if (!error.empty())
    j["error"] = error;
  return j;
}

Ssmix2Store::Ssmix2Store(std::string tenant_dir, std::uint64_t quota_bytes, UploadLimits limits)
    : tenant_dir_(std::move(tenant_dir)),
      standard_root_(tenant_dir_ + "/ssmix2"),
      extended_root_(tenant_dir_ + "/extended"),
      uploads_dir_(tenant_dir_ + "/uploads"),
      quota_(quota_bytes),
      limits_(limits) {}

std::vector<std::string> Ssmix2Store::recover() {
  std::lock_guard lock(mu_);
  fs::create_directories(standard_root_);
  fs::create_directories(extended_root_);
  fs::create_directories(uploads_dir_ + "/reports");
  used_ = 0;
  // The quota covers everything the facility disclosed: its storage, its extended storage (the
  // web form's documents) and the files received as they were sent (received/: a pharmacy's
  // notebooks, FHIR uploads).
  // A file received as it was sent is written to a temporary (.tmp-*) first and linked to its
  // name (write_file_once), a report likewise: a temporary left by a kill was never
  // acknowledged, so it goes and is not charged.
  std::vector<fs::path> temporaries;
  const std::string received = tenant_dir_ + "/received";
  for (const std::string& root : {standard_root_, extended_root_, received}) {
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      if (root == received && is_temporary_name(it->path().filename().string()))
        temporaries.push_back(it->path());
      else if (it->is_regular_file())
        used_ += it->file_size();
    }
  }
  for (const auto& e : fs::directory_iterator(uploads_dir_ + "/reports")) {
    if (is_temporary_name(e.path().filename().string()))
      temporaries.push_back(e.path());
  }
  std::vector<std::string> placed;
  std::vector<fs::path> journals, stages;
  for (const auto& e : fs::directory_iterator(uploads_dir_)) {
    if (is_temporary_name(e.path().filename().string()))
      temporaries.push_back(e.path());  // a journal killed while written: never committed
    else if (e.path().extension() == ".commit")
      journals.push_back(e.path());
    else if (e.is_directory() && e.path().filename() != "reports")
      stages.push_back(e.path());
  }
  for (const auto& j : journals)
    roll_forward(j.string(), placed);  // removes its stage
  for (const auto& s : stages) {
    std::error_code ec;
    if (fs::exists(s, ec))
      fs::remove_all(s, ec);  // never reached its journal: never acknowledged
  }
  for (const auto& t : temporaries) {
    std::error_code ec;
    fs::remove(t, ec);
  }
  sync_dir(uploads_dir_);
  return placed;
}

void Ssmix2Store::check_entries(std::string_view zip, UploadReport& report,
                                std::vector<Staged>& staged) {
  zip_error_t ze;
  zip_error_init(&ze);
  zip_source_t* src = zip_source_buffer_create(zip.data(), zip.size(), 0, &ze);
  std::unique_ptr<zip_t, ZipCloser> za;
  if (src) {
    za.reset(zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze));
    if (!za)
      zip_source_free(src);
  }
  if (!za) {
    report.error = std::string("not a readable zip archive: ") + zip_error_strerror(&ze);
    report.error_status = 422;
    zip_error_fini(&ze);
    return;
  }
  zip_error_fini(&ze);
  const zip_int64_t n = zip_get_num_entries(za.get(), 0);
  if (n < 0 || static_cast<std::uint64_t>(n) > limits_.max_files) {
    report.error = "more than " + std::to_string(limits_.max_files) + " files in one upload";
    report.error_status = 413;
    return;
  }
  std::uint64_t total = 0, new_bytes = 0;
  std::set<std::string> seen;
  for (zip_int64_t i = 0; i < n; ++i) {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(za.get(), static_cast<zip_uint64_t>(i), 0, &st) != 0 || !st.name) {
      report.files.push_back({"#" + std::to_string(i), "", "rejected", "unreadable entry"});
      continue;
    }
    const std::string name = st.name;
    if (name.ends_with('/'))
      continue;  // a folder
    UploadFile f{name, "", "", ""};
    zip_uint8_t opsys = 0;
    zip_uint32_t attributes = 0;
    if (zip_file_get_external_attributes(za.get(), static_cast<zip_uint64_t>(i), 0, &opsys,
                                         &attributes) == 0 &&
        opsys == ZIP_OPSYS_UNIX && S_ISLNK(attributes >> 16)) {
      f.status = "rejected";
      f.reason = "a symbolic link: only regular files are stored";
    } else if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE) {
      f.status = "rejected";
      f.reason = "encrypted in the archive";
    } else {
      f.path = storage_path_of(name, f);
    }
    if (f.status.empty() && !seen.insert(f.path).second) {
      f.status = "rejected";
      f.reason = "the same standard-storage path twice in one upload";
    }
    if (f.status.empty()) {
      total += st.size;
      if (total > limits_.max_uncompressed_bytes) {
        report.error = "more than " + std::to_string(limits_.max_uncompressed_bytes) +
                       " bytes uncompressed in one upload";
        report.error_status = 413;
        return;
      }
      std::string bytes(st.size, '\0');
      zip_file_t* zf = zip_fopen_index(za.get(), static_cast<zip_uint64_t>(i), 0);
      bool ok = zf != nullptr;
      if (zf) {
        const zip_int64_t got = zip_fread(zf, bytes.data(), st.size);
        char extra = 0;
        ok = got == static_cast<zip_int64_t>(st.size) && zip_fread(zf, &extra, 1) == 0;
        ok = zip_fclose(zf) == 0 && ok;  // the CRC is checked at the end
      }
      if (!ok) {
        f.status = "rejected";
        f.reason = "damaged in the archive (size or CRC mismatch, or an unsupported compression)";
      } else if (auto v = storage::judge_standard(f.path, bytes, true); !v.usable) {
        f.status = "rejected";
        f.reason = v.reason;
      } else {
        f.reason = v.reason;  // warnings, if any
        const std::string target = standard_root_ + "/" + f.path;
        std::error_code ec;
        if (fs::exists(target, ec)) {
          if (read_whole_file(target) == bytes) {
            f.status = "unchanged";
          } else {
            f.status = "rejected";
            f.reason =
                "already stored with other content: SS-MIX2 files are never rewritten; a "
                "correction is a new file (a newer timestamp, or condition flag 0 to delete)";
          }
        } else {
          f.status = "stored";
          new_bytes += bytes.size();
          staged.push_back({f.path, std::move(bytes)});
        }
      }
    }
    report.files.push_back(std::move(f));
  }
  if (used_ + new_bytes > quota_) {
    report.error = "over the facility's quota: " + std::to_string(used_) + " of " +
                   std::to_string(quota_) + " bytes used, this upload adds " +
                   std::to_string(new_bytes);
    report.error_status = 413;
  }
}

UploadReport Ssmix2Store::upload(std::string_view zip, std::vector<std::string>& placed) {
  std::lock_guard lock(mu_);
  UploadReport report;
  report.upload_id = random_uuid();
  report.received_at = encoding::iso_utc(std::chrono::system_clock::now());
  report.bytes = zip.size();
  std::vector<Staged> staged;
  check_entries(zip, report, staged);
  for (auto& f : report.files) {
    if (f.status == "rejected")
      ++report.rejected;
    else if (f.status == "ignored")
      ++report.ignored;
    else if (f.status == "unchanged")
      ++report.unchanged;
  }
  if (report.error.empty() && report.files.empty()) {
    report.error = "the upload holds no file";
    report.error_status = 422;
  }
  if (report.accepted()) {
    commit(report.upload_id, staged, placed);
    report.stored = staged.size();
  } else {
    for (auto& f : report.files) {
      if (f.status == "stored")
        f.status = "valid";  // checked, but the upload as a whole was not stored
    }
  }
  return report;
}

void Ssmix2Store::save_report(const UploadReport& report) {
  write_file_durably(uploads_dir_ + "/reports/" + report_name(report.upload_id),
                     report.to_json().dump());
  std::vector<fs::path> kept;
  for (const auto& e : fs::directory_iterator(uploads_dir_ + "/reports"))
    kept.push_back(e.path());
  if (kept.size() > kReportsKept) {
    std::sort(kept.begin(), kept.end());
    for (std::size_t i = 0; i + kReportsKept < kept.size(); ++i)
      fs::remove(kept[i]);
  }
}

bool Ssmix2Store::place(const std::string& path, const std::string& bytes,
                        std::vector<std::string>& placed) {
  std::lock_guard lock(mu_);
  const std::string target = standard_root_ + "/" + path;
  std::error_code ec;
  if (fs::exists(target, ec)) {
    if (read_whole_file(target) == bytes)
      return false;
    throw Error(ErrorCode::kConflict, "a file of that name is already stored");
  }
  if (used_ + bytes.size() > quota_)
    throw Error(ErrorCode::kPayloadTooLarge, "over the facility's quota");
  commit(random_uuid(), {{path, bytes}}, placed);
  return true;
}

bool Ssmix2Store::charge(std::uint64_t bytes, const std::function<bool()>& write) {
  std::lock_guard lock(mu_);
  if (used_ + bytes > quota_)
    throw Error(ErrorCode::kPayloadTooLarge, "over the facility's quota: " + std::to_string(used_) +
                                                 " of " + std::to_string(quota_) +
                                                 " bytes used, this upload adds " +
                                                 std::to_string(bytes));
  const bool added = write();
  if (added)
    used_ += bytes;
  return added;
}

void Ssmix2Store::place_document(const std::string& path, const std::string& bytes,
                                 const std::string& supersede, const std::string& superseded_as,
                                 std::vector<std::string>& placed) {
  std::lock_guard lock(mu_);
  std::error_code ec;
  if (fs::exists(extended_root_ + "/" + path, ec))
    throw Error(ErrorCode::kConflict, "a document of that name is already stored");
  std::vector<Rename> renames;
  if (!supersede.empty()) {
    if (!fs::is_directory(extended_root_ + "/" + supersede, ec))
      throw Error(ErrorCode::kNotFound, "supersedes: no such current document");
    renames.push_back({supersede, superseded_as});
  }
  if (used_ + bytes.size() > quota_)
    throw Error(ErrorCode::kPayloadTooLarge, "over the facility's quota");
  commit(random_uuid(), {{path, bytes}}, placed, true, renames);
}

void Ssmix2Store::retire_document(const std::string& folder, const std::string& retired_as,
                                  std::vector<std::string>& placed) {
  std::lock_guard lock(mu_);
  std::error_code ec;
  if (!fs::is_directory(extended_root_ + "/" + folder, ec))
    throw Error(ErrorCode::kNotFound, "no such current document");
  commit(random_uuid(), {}, placed, true, {{folder, retired_as}});
}

void Ssmix2Store::commit(const std::string& upload_id, const std::vector<Staged>& staged,
                         std::vector<std::string>& placed, bool extended,
                         const std::vector<Rename>& renames) {
  if (staged.empty() && renames.empty())
    return;  // every file already held
  const std::string stage = uploads_dir_ + "/" + upload_id;
  fs::create_directories(stage);
  json paths = json::array();
  for (std::size_t i = 0; i < staged.size(); ++i) {
    write_file_unsynced(stage + "/" + std::to_string(i), staged[i].bytes, 0440);
    paths.push_back(staged[i].path);
  }
  sync_filesystem(stage);  // every staged file on disk, in one flush, before the journal
  const std::string journal = uploads_dir_ + "/" + upload_id + ".commit";
  json j{{"files", paths}};
  if (extended)
    j["root"] = "extended";
  for (const auto& r : renames)
    j["renames"].push_back({{"from", r.from}, {"to", r.to}});
  write_file_durably(journal, j.dump());  // the commit point
  roll_forward(journal, placed);
}

void Ssmix2Store::roll_forward(const std::string& journal, std::vector<std::string>& placed) {
  const auto text = read_whole_file(journal);
  const json j = json::parse(text.value_or(""), nullptr, false);
  const std::string stage = journal.substr(0, journal.size() - std::string(".commit").size());
  if (!j.is_object() || !j["files"].is_array()) {
    // A journal is written whole (write_file_durably) or not at all: unreadable means damage.
    throw Error(ErrorCode::kInternal, "storage damaged", "unreadable upload journal " + journal);
  }
  const std::string& root = j.value("root", "") == "extended" ? extended_root_ : standard_root_;
  const json files = j["files"];
  for (std::size_t i = 0; i < files.size(); ++i) {
    const std::string path = files[i].get<std::string>();
    const std::string from = stage + "/" + std::to_string(i);
    const fs::path target = fs::path(root) / path;
    std::error_code ec;
    if (!fs::exists(from, ec))
      continue;  // linked and its stage copy removed before the crash
    fs::create_directories(target.parent_path(), ec);
    if (::link(from.c_str(), target.c_str()) == 0) {
      used_ += fs::file_size(target, ec);
      placed.push_back(path);
    } else if (errno != EEXIST) {
      throw Error(ErrorCode::kUnavailable, "storage unavailable", "cannot link " + target.string());
    }
  }
  // A superseded content folder gets its new name (flag 2) after the new document is linked:
  // across a crash the journal redoes whichever step is missing.
  if (const auto renames = j.find("renames"); renames != j.end() && renames->is_array()) {
    for (const auto& r : *renames) {
      const fs::path from = fs::path(root) / r.value("from", "");
      const fs::path to = fs::path(root) / r.value("to", "");
      std::error_code ec;
      if (!fs::exists(from, ec))
        continue;  // renamed before the crash
      fs::rename(from, to, ec);
      if (ec) {
        throw Error(ErrorCode::kUnavailable, "storage unavailable",
                    "cannot rename " + from.string());
      }
      for (const auto& e : fs::directory_iterator(to, ec)) {
        placed.push_back(r.value("from", "") + "/" + e.path().filename().string());
        placed.push_back(r.value("to", "") + "/" + e.path().filename().string());
      }
    }
  }
  // Every new name and folder on disk (one flush) before the journal that would redo them goes.
  sync_filesystem(root);
  std::error_code ec;
  fs::remove_all(stage, ec);
  ::unlink(journal.c_str());
  sync_dir(uploads_dir_);
}

std::vector<json> Ssmix2Store::reports(std::size_t limit) const {
  std::vector<fs::path> all;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(uploads_dir_ + "/reports", ec))
    all.push_back(e.path());
  std::sort(all.rbegin(), all.rend());
  std::vector<json> out;
  for (const auto& p : all) {
    if (out.size() >= limit)
      break;
    const auto text = read_whole_file(p.string());
    json j = json::parse(text.value_or(""), nullptr, false);
    if (j.is_object())
      out.push_back(std::move(j));
  }
  return out;
}

std::uint64_t Ssmix2Store::used_bytes() const {
  std::lock_guard lock(mu_);
  return used_;
}

}  // namespace hareyaka::gateway::hosted
