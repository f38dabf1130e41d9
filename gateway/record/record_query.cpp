#include "gateway/record/record_query.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <set>

#include "proto/encoding/dates.hpp"
#include "proto/ssmix2/mapping.hpp"
#include "proto/ssmix2/storage_path.hpp"

namespace hareyaka::gateway::record {

using ssmix2::DataType;
using storage::FileEntry;
using storage::StorageIndex;

namespace {

struct CategoryDef {
  std::string_view name;
  std::array<DataType, 2> types;
  int type_count;
};

constexpr std::array<CategoryDef, 13> kCategories{{
    {"encounters", {DataType::kAdt12, DataType::kAdt12}, -1},  // all ADT event types
    {"allergies", {DataType::kAdt61, DataType::kAdt00}, 2},
    {"diagnoses", {DataType::kPpr01, DataType::kPpr01}, 1},
    {"prescriptions", {DataType::kOmp01, DataType::kOmp01}, 1},
    {"administrations", {DataType::kOmp11, DataType::kOmp11}, 1},
    {"injections", {DataType::kOmp02, DataType::kOmp02}, 1},
    {"injection_administrations", {DataType::kOmp12, DataType::kOmp12}, 1},
    {"lab_orders", {DataType::kOml01, DataType::kOml01}, 1},
    {"lab_results", {DataType::kOml11, DataType::kOml11}, 1},
    {"radiology", {DataType::kOmg01, DataType::kOmg11}, 2},
    {"endoscopy", {DataType::kOmg02, DataType::kOmg12}, 2},
    {"physiology", {DataType::kOmg03, DataType::kOmg13}, 2},
    {"meals", {DataType::kOmd, DataType::kOmd}, 1},
}};

const CategoryDef* find_category(std::string_view name) {
  for (const auto& c : kCategories) {
    if (c.name == name)
      return &c;
  }
  return nullptr;
}

bool in_category(const CategoryDef& c, DataType t) {
  if (c.type_count < 0)
    return ssmix2::category_of(t) == ssmix2::Category::kEncounters;
  for (int i = 0; i < c.type_count; ++i) {
    if (c.types[i] == t)
      return true;
  }
  return false;
}

bool in_range(std::uint32_t date, const RecordQuery& q) {
  if (q.from && (date == 0 || date < q.from))
    return false;
  if (q.to && (date == 0 || date > q.to))
    return false;
  return true;
}

std::optional<std::string> read_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return std::nullopt;
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

// The parsed file, from the cache when it holds this version of the file (same mtime and
// size as the index entry); null when the file is gone or no longer usable.
ParsedFiles::Parsed read_entry(const StorageIndex& index, const std::string& pid,
                               const FileEntry& e, ParsedFiles* cache) {
  std::string rel = ssmix2::standard_relative_path(e.file_name(pid));
  if (cache) {
    if (auto hit = cache->find(rel, e.mtime_ns, e.size))
      return hit;
  }
  auto bytes = read_file(index.standard_root() + "/" + rel);
  if (!bytes)
    return nullptr;
  auto r = std::make_shared<const ssmix2::ReadResult>(ssmix2::read_standard_file(rel, *bytes));
  if (!r->usable())
    return nullptr;
  // Only the version the index knows is cached: bytes read after a change the watcher has
  // not seen yet would otherwise be remembered under the old mtime and size.
  if (cache && bytes->size() == e.size)
    cache->put(rel, e.mtime_ns, e.size, r);
  return r;
}

// Appends the items of one file's content that belong to the category.
void collect(std::string_view category, const ssmix2::Content& c, std::vector<nlohmann::json>& out,
             std::set<std::string>& seen_diagnoses) {
  auto push_all = [&](const auto& v) {
    for (const auto& x : v)
      out.push_back(x);
  };
  if (category == "encounters")
    push_all(c.encounters);
  if (category == "allergies") {
    push_all(c.allergies);
    if (c.patient)
      push_all(c.patient->allergies);
  }
  if (category == "diagnoses") {
    for (const auto& d : c.diagnoses) {
      if (d.action == "DE")
        continue;
      // The newest file's entry for one problem instance wins (files come newest first).
      if (!d.instance_id.empty() &&
          !seen_diagnoses.insert(d.instance_id + "|" + d.name.code).second) {
        continue;
      }
      out.push_back(d);
    }
  }
  if (category == "prescriptions")
    push_all(c.prescriptions);
  if (category == "administrations" || category == "injection_administrations") {
    push_all(c.administrations);
  }
  if (category == "injections")
    push_all(c.injections);
  if (category == "lab_orders")
    push_all(c.lab_orders);
  if (category == "lab_results")
    push_all(c.lab_results);
  if (category == "radiology" || category == "endoscopy" || category == "physiology") {
    push_all(c.studies);
  }
  if (category == "meals")
    push_all(c.meals);
}

std::string media_type_of(std::string_view file) {
  std::size_t dot = file.rfind('.');
  std::string ext = dot == std::string_view::npos ? "" : std::string(file.substr(dot + 1));
  for (char& ch : ext)
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (ext == "xml")
    return "application/xml";
  if (ext == "pdf")
    return "application/pdf";
  if (ext == "jpg" || ext == "jpeg")
    return "image/jpeg";
  if (ext == "png")
    return "image/png";
  if (ext == "gif")
    return "image/gif";
  if (ext == "tif" || ext == "tiff")
    return "image/tiff";
  if (ext == "txt")
    return "text/plain";
  if (ext == "dcm")
    return "application/dicom";
  if (ext == "hl7")
    return "application/hl7-v2";
  return "application/octet-stream";
}

nlohmann::json page_json(const std::string& pid, std::string_view category,
                         std::vector<nlohmann::json> items, const RecordQuery& q, bool more,
                         std::size_t unreadable) {
  nlohmann::json j;
  j["patient_id"] = pid;
  j["category"] = category;
  j["items"] = std::move(items);
  j["offset"] = q.offset;
  j["limit"] = q.limit;
  j["next_offset"] = more ? nlohmann::json(q.offset + q.limit) : nlohmann::json(nullptr);
  j["unreadable_files"] = unreadable;
  return j;
}

nlohmann::json documents_page(const StorageIndex& index, const std::string& pid,
                              const RecordQuery& q) {
  std::vector<nlohmann::json> items;
  std::size_t skipped = 0;
  bool more = false;
  for (const auto& d : index.documents(pid)) {
    if (!in_range(d.date, q))
      continue;
    if (skipped < q.offset) {
      ++skipped;
      continue;
    }
    if (items.size() == q.limit) {
      more = true;
      break;
    }
    auto check = ssmix2::check_extended_path(d.relative_path);
    if (!check.location)
      continue;
    const auto& loc = *check.location;
    clinical::Document doc;
    doc.id = d.id;
    doc.type = {loc.type.local_code,    loc.type.local_name,    loc.type.local_system,
                loc.type.standard_code, loc.type.standard_name, loc.type.standard_system};
    doc.date = loc.date ? ssmix2::format_date_folder(loc.date) : "";
    if (doc.date.size() == 8) {
      doc.date = doc.date.substr(0, 4) + "-" + doc.date.substr(4, 2) + "-" + doc.date.substr(6, 2);
    }
    doc.file = loc.file;
    doc.media_type = media_type_of(loc.file);
    doc.size = d.size;
    if (loc.content_name) {
      doc.order_no = loc.content_name->order_no;
      doc.department = loc.content_name->department;
    }
    doc.source.data_type = "extended";
    doc.source.file = d.relative_path;
    doc.source.order_no = doc.order_no;
    doc.source.department = doc.department;
    nlohmann::json item = doc;
    // The document's title: its file name without the extension (a web form names the file
    // after the title its user typed; clinical::Document gains keys, never renames them).
    item["title"] = loc.file.substr(0, loc.file.rfind('.'));
    items.push_back(std::move(item));
  }
  return page_json(pid, "documents", std::move(items), q, more, 0);
}

// A cancellation (A11, A12, A13, ...) is its own file of the same data type; the event it
// cancels is the one of that type at the same time (admission, discharge or event time). Both
// stay listed: the cancelled event with status "cancelled", the cancellation flagged. Only
// events on the same page are linked.
void mark_cancelled(std::vector<nlohmann::json>& items) {
  auto when = [](const nlohmann::json& e) {
    for (const char* key : {"admitted_at", "discharged_at", "event_at", "date"}) {
      std::string v = e.value(key, "");
      if (!v.empty())
        return std::string(key) + "=" + v;
    }
    return std::string();
  };
  for (const auto& c : items) {
    if (!c.value("cancelled", false))
      continue;
    std::string at = when(c);
    for (auto& e : items) {
      if (!e.value("cancelled", false) && e.value("event", "") == c.value("event", "") &&
          !at.empty() && when(e) == at) {
        e["status"] = "cancelled";
      }
    }
  }
}

RecordQuery normalized(RecordQuery q) {
  if (q.limit == 0)
    q.limit = kDefaultLimit;
  q.limit = std::min(q.limit, kMaxLimit);
  return q;
}

}  // namespace

std::optional<std::uint32_t> parse_query_date(std::string_view text) {
  if (text.size() == 10 && text[4] == '-' && text[7] == '-') {
    std::uint32_t d = encoding::compact_date(text);
    return d ? std::optional<std::uint32_t>(d) : std::nullopt;
  }
  if (text.size() == 8) {
    auto d = ssmix2::parse_date_folder(text);
    if (d && *d)
      return d;
  }
  return std::nullopt;
}

bool is_category_name(std::string_view name) {
  return name == "documents" || find_category(name) != nullptr;
}

std::optional<nlohmann::json> demographics(const StorageIndex& index, const std::string& patient_id,
                                           ParsedFiles* cache) {
  if (!index.has_patient(patient_id))
    return std::nullopt;
  nlohmann::json j;
  j["patient_id"] = patient_id;
  j["patient"] = nullptr;
  for (const FileEntry& e : index.current_files(patient_id)) {
    if (e.type() != DataType::kAdt00)
      continue;
    auto r = read_entry(index, patient_id, e, cache);
    if (!r || !r->content.patient)
      continue;
    j["patient"] = *r->content.patient;
    break;  // current_files is newest first
  }
  return j;
}

std::optional<nlohmann::json> category(const StorageIndex& index, const std::string& patient_id,
                                       std::string_view name, const RecordQuery& query,
                                       ParsedFiles* cache) {
  if (!index.has_patient(patient_id))
    return std::nullopt;
  RecordQuery q = normalized(query);
  if (name == "documents")
    return documents_page(index, patient_id, q);
  const CategoryDef* def = find_category(name);
  if (!def)
    return std::nullopt;

  std::vector<FileEntry> files = index.current_files(patient_id);
  const bool by_item_date = name == "diagnoses";
  bool has_adt61 = false;
  for (const auto& e : files)
    has_adt61 |= e.type() == DataType::kAdt61;
  std::vector<nlohmann::json> items;
  std::set<std::string> seen_diagnoses;
  std::size_t skipped = 0;
  std::size_t unreadable = 0;
  bool more = false;
  bool adt00_done = false;
  for (const FileEntry& e : files) {
    if (!in_category(*def, e.type()))
      continue;
    if (name == "allergies" && e.type() == DataType::kAdt00 && (has_adt61 || adt00_done))
      continue;
    if (!by_item_date && !ssmix2::is_dateless(e.type()) && !in_range(e.date(), q))
      continue;
    auto r = read_entry(index, patient_id, e, cache);
    if (!r) {
      ++unreadable;
      continue;
    }
    if (e.type() == DataType::kAdt00)
      adt00_done = true;
    std::vector<nlohmann::json> file_items;
    collect(name, r->content, file_items, seen_diagnoses);
    for (auto& item : file_items) {
      if (by_item_date && (q.from || q.to)) {
        std::string start = item.value("established", "");
        if (start.empty())
          start = item.value("onset", "");
        if (!in_range(encoding::compact_date(start), q))
          continue;
      }
      if (skipped < q.offset) {
        ++skipped;
        continue;
      }
      if (items.size() == q.limit) {
        more = true;
        break;
      }
      items.push_back(std::move(item));
    }
    if (more)
      break;
  }
  if (name == "encounters")
    mark_cancelled(items);
  return page_json(patient_id, name, std::move(items), q, more, unreadable);
}

std::optional<DocumentFile> document_file(const StorageIndex& index, const std::string& patient_id,
                                          const std::string& id) {
  auto d = index.document(patient_id, id);
  if (!d)
    return std::nullopt;
  DocumentFile f;
  f.path = index.extended_path(*d);
  f.media_type = media_type_of(d->relative_path);
  f.size = d->size;
  return f;
}

std::optional<nlohmann::json> full_record(const StorageIndex& index, const std::string& patient_id,
                                          std::size_t limit) {
  auto demo = demographics(index, patient_id);
  if (!demo)
    return std::nullopt;
  nlohmann::json j;
  j["patient_id"] = patient_id;
  j["demographics"] = std::move(*demo);
  RecordQuery q;
  q.limit = limit;
  for (const auto& c : kCategories)
    j[std::string(c.name)] = *category(index, patient_id, c.name, q);
  j["documents"] = *category(index, patient_id, "documents", q);
  return j;
}

nlohmann::json problems(const StorageIndex& index, std::size_t offset, std::size_t limit,
                        bool include_warnings) {
  limit = std::min(limit == 0 ? kDefaultLimit : limit, kMaxLimit);
  auto list = index.problems(offset, limit + 1, include_warnings);
  bool more = list.size() > limit;
  if (more)
    list.pop_back();
  nlohmann::json items = nlohmann::json::array();
  for (const auto& p : list) {
    items.push_back({{"storage", storage::to_string(p.storage)},
                     {"path", p.path},
                     {"severity", storage::to_string(p.severity)},
                     {"reason", p.reason}});
  }
  return {{"items", std::move(items)},
          {"offset", offset},
          {"limit", limit},
          {"next_offset", more ? nlohmann::json(offset + limit) : nlohmann::json(nullptr)}};
}

nlohmann::json stats(const StorageIndex& index) {
  storage::IndexStats s = index.stats();
  storage::FollowStatus f = index.follow_status();
  return {{"patients", s.patients},
          {"current_files", s.current_files},
          {"stored_files", s.stored_files},
          {"documents", s.documents},
          {"errors", s.errors},
          {"warnings", s.warnings},
          {"by_type", s.current_by_type},
          {"following",
           {{"active", f.following},
            {"inotify", f.inotify},
            {"watches", f.watches},
            {"reconciliations", f.reconciliations},
            {"generation", f.generation}}}};
}

}  // namespace hareyaka::gateway::record
