#include "gateway/storage/storage_index.hpp"

#include <malloc.h>

#include <algorithm>
#include <set>

#include "gateway/storage/index_cache.hpp"
#include "proto/ssmix2/storage_path.hpp"

namespace hareyaka::gateway::storage {
namespace {

std::string_view base_name(std::string_view path) {
  std::size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool same_files(const std::vector<FileEntry>& a, const std::vector<FileEntry>& b) {
  if (a.size() != b.size())
    return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!a[i].same_name(b[i]) || a[i].mtime_ns != b[i].mtime_ns || a[i].size != b[i].size) {
      return false;
    }
  }
  return true;
}

bool same_documents(const std::vector<DocumentEntry>& a, const std::vector<DocumentEntry>& b) {
  if (a.size() != b.size())
    return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].relative_path != b[i].relative_path || a[i].mtime_ns != b[i].mtime_ns ||
        a[i].size != b[i].size) {
      return false;
    }
  }
  return true;
}

}  // namespace

// Exact-size vectors, and freed scan buffers handed back to the system: the index of a large
// storage lives as long as the daemon.
void StorageIndex::build(State& state, const std::vector<Verdict>& verdicts) {
  // The walk lists each patient's files together: reserving each run's exact size first
  // avoids the holes that growing vectors leave behind.
  std::size_t i = 0;
  while (i < verdicts.size()) {
    auto parts = ssmix2::split_path(verdicts[i].path);
    std::size_t j = i + 1;
    std::size_t usable = verdicts[i].usable && verdicts[i].storage == StorageKind::kStandard;
    if (parts.size() >= 3) {
      std::string_view prefix(verdicts[i].path.data(),
                              parts[2].data() + parts[2].size() - verdicts[i].path.data());
      while (j < verdicts.size() && verdicts[j].storage == verdicts[i].storage &&
             std::string_view(verdicts[j].path).substr(0, prefix.size()) == prefix) {
        usable += verdicts[j].usable && verdicts[j].storage == StorageKind::kStandard;
        ++j;
      }
      if (usable > 0 && ssmix2::valid_patient_id(parts[2])) {
        auto& files = state.patients[std::string(parts[2])].files;
        files.reserve(files.size() + usable);
      }
    }
    for (std::size_t k = i; k < j; ++k)
      apply(state, verdicts[k]);
    i = j;
  }
  compact(state);
}

void StorageIndex::compact(State& state) {
  for (auto& [pid, pf] : state.patients) {
    pf.files.shrink_to_fit();
    pf.documents.shrink_to_fit();
  }
}

StorageIndex::StorageIndex(IndexOptions options) : options_(std::move(options)) {}

StorageIndex::~StorageIndex() {
  stop_following();
}

void StorageIndex::remove_path(State& state, StorageKind storage, const std::string& path,
                               std::string* patient_id) {
  state.problems.erase(known_key(storage, path));
  auto parts = ssmix2::split_path(path);
  if (storage == StorageKind::kStandard) {
    auto name = ssmix2::parse_file_name(base_name(path));
    // Only a file at the canonical place of its name can be in the index (a misplaced copy
    // with the same name must not remove the real one).
    if (!name || !name->type || ssmix2::standard_relative_path(*name) != path)
      return;
    auto it = state.patients.find(name->patient_id);
    if (it == state.patients.end())
      return;
    auto& files = it->second.files;
    auto key = FileEntry::make(*name, 0, 0);
    if (!key)
      return;
    std::erase_if(files, [&](const FileEntry& e) { return e.same_name(*key); });
    if (patient_id)
      *patient_id = name->patient_id;
    if (files.empty() && it->second.documents.empty())
      state.patients.erase(it);
  } else {
    if (parts.size() < 3)
      return;
    auto it = state.patients.find(std::string(parts[2]));
    if (it == state.patients.end())
      return;
    std::erase_if(it->second.documents,
                  [&](const DocumentEntry& d) { return d.relative_path == path; });
    if (patient_id)
      *patient_id = it->first;
    if (it->second.files.empty() && it->second.documents.empty())
      state.patients.erase(it);
  }
}

std::string StorageIndex::apply(State& state, const Verdict& v) {
  std::string touched;
  remove_path(state, v.storage, v.path, &touched);
  if (!v.exists)
    return touched;
  if (!v.reason.empty()) {
    state.problems[known_key(v.storage, v.path)] =
        Problem{v.storage,  v.path, v.reason, v.usable ? ProblemSeverity::kWarning : v.severity,
                v.mtime_ns, v.size};
  }
  if (!v.usable)
    return touched;
  if (v.storage == StorageKind::kStandard) {
    auto name = ssmix2::parse_file_name(base_name(v.path));
    if (!name || !name->type)
      return touched;
    auto e = FileEntry::make(*name, v.mtime_ns, v.size);
    if (!e)
      return touched;  // evaluate() already judged such a name unusable
    auto& files = state.patients[name->patient_id].files;
    files.push_back(*e);
    return name->patient_id;
  }
  auto check = ssmix2::check_extended_path(v.path);
  if (!check.location)
    return touched;
  const auto& loc = *check.location;
  if (loc.content_name && loc.content_name->condition != ssmix2::Condition::kCurrent) {
    return loc.patient_id;  // superseded or deleted content is not shown
  }
  DocumentEntry d;
  d.relative_path = v.path;
  d.id = document_id(v.path);
  d.mtime_ns = v.mtime_ns;
  d.size = v.size;
  d.date = loc.date;
  state.patients[loc.patient_id].documents.push_back(std::move(d));
  return loc.patient_id;
}

ScanProgress StorageIndex::full_pass(bool report_progress) {
  std::lock_guard writer(writer_mu_);
  KnownFiles known;
  if (!cache_loaded_) {
    cache_loaded_ = true;
    if (!options_.cache_file.empty()) {
      known = load_index_cache(options_.cache_file, options_.standard_root, options_.extended_root);
    }
  } else {
    std::shared_lock lock(mu_);
    for (Verdict& v : snapshot_verdicts()) {
      known.emplace(known_key(v.storage, v.path),
                    KnownFile{v.mtime_ns, v.size, v.usable, v.severity, std::move(v.reason)});
    }
  }
  ScanSettings settings;
  settings.threads = options_.threads;
  settings.reject_pid_mismatch = options_.reject_pid_mismatch;
  settings.progress_interval = options_.progress_interval;
  auto list = [&](const std::string& root) {
    if (options_.only_patient.empty())
      return list_files(root);
    std::string folder = ssmix2::patient_folder(options_.only_patient);
    std::vector<std::string> files = list_files(root + "/" + folder);
    for (auto& f : files)
      f = folder + "/" + f;
    return files;
  };
  std::vector<std::string> standard = list(options_.standard_root);
  std::vector<std::string> extended;
  if (!options_.extended_root.empty())
    extended = list(options_.extended_root);
  const std::uint64_t total = standard.size() + extended.size();
  ScanProgress last;
  if (report_progress && options_.on_progress) {
    // Both storages count as one scan for the caller: offset the second one's progress.
    std::uint64_t offset = 0;
    const auto start = std::chrono::steady_clock::now();
    settings.on_progress = [&](const ScanProgress& p) {
      if (p.total == 0)
        return;
      ScanProgress q = p;
      q.done += offset;
      q.total = total;
      q.finished = false;
      q.elapsed_seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      q.files_per_second = q.elapsed_seconds > 0 ? q.done / q.elapsed_seconds : 0;
      q.eta_seconds = q.files_per_second > 0 ? (q.total - q.done) / q.files_per_second : 0;
      options_.on_progress(q);
      last = q;
    };
    auto v1 =
        evaluate_all(StorageKind::kStandard, options_.standard_root, standard, known, settings);
    offset = standard.size();
    auto v2 =
        evaluate_all(StorageKind::kExtended, options_.extended_root, extended, known, settings);
    v1.insert(v1.end(), std::make_move_iterator(v2.begin()), std::make_move_iterator(v2.end()));
    standard = {};
    extended = {};
    known = {};
    State fresh;
    build(fresh, v1);
    {
      std::unique_lock lock(mu_);
      state_ = std::move(fresh);
    }
    generation_.fetch_add(1);
    if (options_.on_problem) {
      for (const Verdict& v : v1) {
        if (!v.reason.empty() && v.exists) {
          options_.on_problem(Problem{v.storage, v.path, v.reason,
                                      v.usable ? ProblemSeverity::kWarning : v.severity, v.mtime_ns,
                                      v.size});
        }
      }
    }
    save_index_cache(options_.cache_file, options_.standard_root, options_.extended_root, v1);
    v1 = {};
    malloc_trim(0);
    last.done = last.total = total;
    last.finished = true;
    last.eta_seconds = 0;
    last.elapsed_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    last.files_per_second = last.elapsed_seconds > 0 ? total / last.elapsed_seconds : 0;
    options_.on_progress(last);
    return last;
  }
  auto v1 = evaluate_all(StorageKind::kStandard, options_.standard_root, standard, known, settings);
  auto v2 = evaluate_all(StorageKind::kExtended, options_.extended_root, extended, known, settings);
  v1.insert(v1.end(), std::make_move_iterator(v2.begin()), std::make_move_iterator(v2.end()));
  State fresh;
  build(fresh, v1);
  std::vector<std::string> changed;
  std::vector<Problem> new_problems;
  {
    std::unique_lock lock(mu_);
    for (const auto& [pid, pf] : fresh.patients) {
      auto it = state_.patients.find(pid);
      if (it == state_.patients.end() || !same_files(it->second.files, pf.files) ||
          !same_documents(it->second.documents, pf.documents)) {
        changed.push_back(pid);
      }
    }
    for (const auto& [pid, pf] : state_.patients) {
      if (!fresh.patients.count(pid))
        changed.push_back(pid);
    }
    for (const auto& [key, p] : fresh.problems) {
      auto it = state_.problems.find(key);
      if (it == state_.problems.end() || it->second.reason != p.reason)
        new_problems.push_back(p);
    }
    state_ = std::move(fresh);
  }
  if (!changed.empty() || !new_problems.empty())
    generation_.fetch_add(1);
  save_index_cache(options_.cache_file, options_.standard_root, options_.extended_root, v1);
  v1 = {};
  malloc_trim(0);
  if (options_.on_problem) {
    for (const auto& p : new_problems)
      options_.on_problem(p);
  }
  if (options_.on_patient_changed) {
    for (const auto& pid : changed)
      options_.on_patient_changed(pid);
  }
  last.done = last.total = total;
  last.finished = true;
  return last;
}

ScanProgress StorageIndex::scan() {
  return full_pass(true);
}

void StorageIndex::reconcile() {
  full_pass(false);
  reconciliations_.fetch_add(1);
}

void StorageIndex::refresh(StorageKind storage, const std::string& relative_path) {
  std::lock_guard writer(writer_mu_);
  const std::string& root =
      storage == StorageKind::kStandard ? options_.standard_root : options_.extended_root;
  Verdict v = evaluate(storage, root, relative_path, nullptr, options_.reject_pid_mismatch);
  std::string pid;
  {
    std::unique_lock lock(mu_);
    pid = apply(state_, v);
    auto it = state_.patients.find(pid);
    if (it != state_.patients.end())
      it->second.files.shrink_to_fit();
  }
  generation_.fetch_add(1);
  if (options_.on_problem && v.exists && !v.reason.empty()) {
    options_.on_problem(Problem{v.storage, v.path, v.reason,
                                v.usable ? ProblemSeverity::kWarning : v.severity, v.mtime_ns,
                                v.size});
  }
  if (options_.on_patient_changed && !pid.empty())
    options_.on_patient_changed(pid);
}

std::vector<Verdict> StorageIndex::snapshot_verdicts() const {
  std::vector<Verdict> out;
  std::set<std::string> seen;
  for (const auto& [pid, pf] : state_.patients) {
    for (const FileEntry& e : pf.files) {
      Verdict v;
      v.storage = StorageKind::kStandard;
      v.path = ssmix2::standard_relative_path(e.file_name(pid));
      v.mtime_ns = e.mtime_ns;
      v.size = e.size;
      v.usable = true;
      v.severity = ProblemSeverity::kWarning;
      auto it = state_.problems.find(known_key(v.storage, v.path));
      if (it != state_.problems.end())
        v.reason = it->second.reason;
      seen.insert(known_key(v.storage, v.path));
      out.push_back(std::move(v));
    }
    for (const DocumentEntry& d : pf.documents) {
      Verdict v;
      v.storage = StorageKind::kExtended;
      v.path = d.relative_path;
      v.mtime_ns = d.mtime_ns;
      v.size = d.size;
      v.usable = true;
      v.severity = ProblemSeverity::kWarning;
      auto it = state_.problems.find(known_key(v.storage, v.path));
      if (it != state_.problems.end())
        v.reason = it->second.reason;
      seen.insert(known_key(v.storage, v.path));
      out.push_back(std::move(v));
    }
  }
  for (const auto& [key, p] : state_.problems) {
    if (seen.count(key))
      continue;
    Verdict v;
    v.storage = p.storage;
    v.path = p.path;
    v.mtime_ns = p.mtime_ns;
    v.size = p.size;
    v.usable = p.severity != ProblemSeverity::kError;
    v.severity = p.severity;
    v.reason = p.reason;
    out.push_back(std::move(v));
  }
  return out;
}

bool StorageIndex::has_patient(const std::string& patient_id) const {
  std::shared_lock lock(mu_);
  return state_.patients.count(patient_id) > 0;
}

std::vector<FileEntry> StorageIndex::current_files(const std::string& patient_id) const {
  std::vector<FileEntry> out;
  {
    std::shared_lock lock(mu_);
    auto it = state_.patients.find(patient_id);
    if (it == state_.patients.end())
      return out;
    const auto& files = it->second.files;
    for (const FileEntry& e : files) {
      if (e.condition() != ssmix2::Condition::kCurrent)
        continue;
      bool deleted = std::any_of(files.begin(), files.end(), [&](const FileEntry& d) {
        return d.condition() == ssmix2::Condition::kDeleted && d.same_order(e) &&
               d.timestamp >= e.timestamp;
      });
      if (!deleted)
        out.push_back(e);
    }
  }
  std::sort(out.begin(), out.end(), [](const FileEntry& a, const FileEntry& b) {
    if (a.date() != b.date())
      return a.date() > b.date();
    return a.timestamp > b.timestamp;
  });
  return out;
}

std::vector<DocumentEntry> StorageIndex::documents(const std::string& patient_id) const {
  std::vector<DocumentEntry> out;
  {
    std::shared_lock lock(mu_);
    auto it = state_.patients.find(patient_id);
    if (it != state_.patients.end())
      out = it->second.documents;
  }
  std::sort(out.begin(), out.end(), [](const DocumentEntry& a, const DocumentEntry& b) {
    if (a.date != b.date)
      return a.date > b.date;
    return a.relative_path < b.relative_path;
  });
  return out;
}

std::optional<DocumentEntry> StorageIndex::document(const std::string& patient_id,
                                                    const std::string& id) const {
  std::shared_lock lock(mu_);
  auto it = state_.patients.find(patient_id);
  if (it == state_.patients.end())
    return std::nullopt;
  for (const auto& d : it->second.documents) {
    if (d.id == id)
      return d;
  }
  return std::nullopt;
}

std::vector<std::string> StorageIndex::patient_ids(const std::string& after,
                                                   std::size_t limit) const {
  std::vector<std::string> out;
  std::shared_lock lock(mu_);
  for (auto it = state_.patients.upper_bound(after);
       it != state_.patients.end() && out.size() < limit; ++it) {
    out.push_back(it->first);
  }
  return out;
}

void StorageIndex::for_each_patient(const std::function<void(const std::string&)>& fn) const {
  std::string after;
  for (;;) {
    const auto ids = patient_ids(after, 1000);
    if (ids.empty())
      return;
    for (const auto& id : ids)
      fn(id);
    after = ids.back();
  }
}

std::vector<Problem> StorageIndex::problems(std::size_t offset, std::size_t limit,
                                            bool include_warnings) const {
  std::vector<Problem> out;
  std::shared_lock lock(mu_);
  std::size_t skipped = 0;
  for (const auto& [key, p] : state_.problems) {
    if (!include_warnings && p.severity != ProblemSeverity::kError)
      continue;
    if (skipped < offset) {
      ++skipped;
      continue;
    }
    if (out.size() >= limit)
      break;
    out.push_back(p);
  }
  return out;
}

IndexStats StorageIndex::stats() const {
  IndexStats s;
  std::vector<std::string> ids;
  {
    std::shared_lock lock(mu_);
    s.patients = state_.patients.size();
    for (const auto& [pid, pf] : state_.patients) {
      s.stored_files += pf.files.size();
      s.documents += pf.documents.size();
    }
    for (const auto& [key, p] : state_.problems) {
      (p.severity == ProblemSeverity::kError ? s.errors : s.warnings)++;
    }
    for (const auto& [pid, pf] : state_.patients)
      ids.push_back(pid);
  }
  for (const auto& pid : ids) {
    for (const FileEntry& e : current_files(pid)) {
      ++s.current_files;
      ++s.current_by_type[std::string(ssmix2::to_string(e.type()))];
    }
  }
  return s;
}

FollowStatus StorageIndex::follow_status() const {
  return {following_.load(), inotify_ok_.load(), watch_count_.load(), reconciliations_.load(),
          generation_.load()};
}

std::string StorageIndex::standard_path(const std::string& patient_id, const FileEntry& e) const {
  return options_.standard_root + "/" + ssmix2::standard_relative_path(e.file_name(patient_id));
}

std::string StorageIndex::extended_path(const DocumentEntry& d) const {
  return options_.extended_root + "/" + d.relative_path;
}

}  // namespace hareyaka::gateway::storage
