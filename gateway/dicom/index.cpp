#include "gateway/dicom/index.hpp"

#include <algorithm>
#include <fstream>
#include <mutex>

#include "common/error.hpp"
#include "common/log.hpp"

namespace hareyaka::gateway::dicom {
namespace {

std::u32string decode_folded(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    char32_t cp = c;
    std::size_t n = 1;
    if (c >= 0xF0) {
      n = 4, cp = c & 0x07;
    } else if (c >= 0xE0) {
      n = 3, cp = c & 0x0F;
    } else if (c >= 0xC0) {
      n = 2, cp = c & 0x1F;
    }
    if (i + n > s.size())
      n = 1, cp = c;  // truncated sequence: keep the byte
    for (std::size_t k = 1; k < n; ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    if (cp >= 'A' && cp <= 'Z')
      cp += 'a' - 'A';
    out.push_back(cp);
    i += n;
  }
  return out;
}

long number_or_max(const std::string& s) {
  try {
    return s.empty() ? 0x7fffffff : std::stol(s);
  } catch (...) {
    return 0x7fffffff;
  }
}

bool in_list(const std::vector<std::string>& list, const std::string& v) {
  return list.empty() || std::find(list.begin(), list.end(), v) != list.end();
}

bool date_in(const DateRange& r, const std::string& date) {
  if (date.empty())
    return false;
  if (!r.from.empty() && date < r.from)
    return false;
  if (!r.to.empty() && date > r.to)
    return false;
  return true;
}

}  // namespace

bool wildcard_match(std::string_view pattern, std::string_view value) {
  std::u32string p = decode_folded(pattern), v = decode_folded(value);
  std::size_t pi = 0, vi = 0, star = std::u32string::npos, mark = 0;
  while (vi < v.size()) {
    if (pi < p.size() && (p[pi] == U'?' || p[pi] == v[vi])) {
      ++pi, ++vi;
    } else if (pi < p.size() && p[pi] == U'*') {
      star = pi++, mark = vi;
    } else if (star != std::u32string::npos) {
      pi = star + 1, vi = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == U'*')
    ++pi;
  return pi == p.size();
}

bool person_name_match(std::string_view pattern, std::string_view value) {
  if (wildcard_match(pattern, value))
    return true;
  std::size_t start = 0;
  for (;;) {
    std::size_t eq = value.find('=', start);
    std::string_view group = value.substr(start, eq == std::string_view::npos ? eq : eq - start);
    if (!group.empty() && wildcard_match(pattern, group))
      return true;
    if (eq == std::string_view::npos)
      return false;
    start = eq + 1;
  }
}

DicomIndex::DicomIndex(std::filesystem::path journal_path)
    : journal_path_(std::move(journal_path)) {
  load();
}

DicomIndex::~DicomIndex() {
  if (journal_)
    std::fclose(journal_);
}

void DicomIndex::load() {
  std::ifstream in(journal_path_);
  if (!in) {
    loaded_cleanly_ = false;
    return;
  }
  std::string line;
  std::size_t lines = 0;
  while (std::getline(in, line)) {
    if (line.empty())
      continue;
    ++lines;
    try {
      InstanceRecord r = nlohmann::json::parse(line).get<InstanceRecord>();
      if (!valid_uid(r.sop_uid) || !valid_uid(r.study_uid) || !valid_uid(r.series_uid)) {
        loaded_cleanly_ = false;
        continue;
      }
      insert_locked(r);
    } catch (const std::exception&) {
      loaded_cleanly_ = false;  // e.g. a line cut short by a crash
    }
  }
  // Compact a journal that is mostly superseded lines.
  if (loaded_cleanly_ && lines > 2 * instances_.size() + 1000) {
    std::vector<InstanceRecord> all;
    all.reserve(instances_.size());
    for (const auto& [sop, r] : instances_)
      all.push_back(r);
    replace_all(all);
  }
}

void DicomIndex::write_journal_line(const InstanceRecord& record) {
  if (!journal_) {
    journal_ = std::fopen(journal_path_.c_str(), "a");
    if (!journal_)
      throw Error(ErrorCode::kInternal, "cannot open the DICOM index journal",
                  "cannot open " + journal_path_.string());
  }
  std::string line = nlohmann::json(record).dump() + "\n";
  if (std::fwrite(line.data(), 1, line.size(), journal_) != line.size() ||
      std::fflush(journal_) != 0) {
    throw Error(ErrorCode::kInternal, "cannot write the DICOM index journal",
                "cannot append to " + journal_path_.string());
  }
}

namespace {

bool same_patient(const InstanceRecord& a, const InstanceRecord& b) {
  return a.patient_id == b.patient_id && a.issuer_of_patient_id == b.issuer_of_patient_id;
}

}  // namespace

std::optional<std::string> DicomIndex::conflict(const InstanceRecord& record) const {
  std::shared_lock lock(mutex_);
  if (auto it = instances_.find(record.sop_uid); it != instances_.end()) {
    if (it->second.study_uid != record.study_uid || it->second.series_uid != record.series_uid)
      return "the SOP Instance UID is already stored in another study or series";
    if (!same_patient(it->second, record))
      return "the SOP Instance UID is already stored for another patient";
  }
  if (auto st = studies_.find(record.study_uid); st != studies_.end()) {
    if (!same_patient(instances_.at(st->second.head_sop), record))
      return "the study is already stored for another patient";
  }
  return std::nullopt;
}

void DicomIndex::add(const InstanceRecord& record) {
  std::unique_lock lock(mutex_);
  write_journal_line(record);
  insert_locked(record);
}

void DicomIndex::replace_all(const std::vector<InstanceRecord>& records) {
  std::unique_lock lock(mutex_);
  auto tmp = journal_path_;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    for (const auto& r : records)
      out << nlohmann::json(r).dump() << '\n';
    out.flush();
    if (!out)
      throw Error(ErrorCode::kInternal, "cannot write the DICOM index journal",
                  "cannot write " + tmp.string());
  }
  if (journal_)
    std::fclose(journal_), journal_ = nullptr;
  std::filesystem::rename(tmp, journal_path_);
  instances_.clear();
  studies_.clear();
  by_patient_.clear();
  by_accession_.clear();
  by_date_.clear();
  for (const auto& r : records)
    insert_locked(r);
  loaded_cleanly_ = true;
}

void DicomIndex::erase_locked(const std::string& sop_uid) {
  auto it = instances_.find(sop_uid);
  if (it == instances_.end())
    return;
  const InstanceRecord& old = it->second;
  auto st = studies_.find(old.study_uid);
  if (st != studies_.end()) {
    auto se = st->second.series.find(old.series_uid);
    if (se != st->second.series.end()) {
      se->second.sops.erase(sop_uid);
      if (se->second.sops.empty())
        st->second.series.erase(se);
      else if (se->second.head_sop == sop_uid)
        se->second.head_sop = *se->second.sops.begin();
    }
    --st->second.instance_count;
    if (st->second.series.empty()) {
      const InstanceRecord& head = instances_.at(st->second.head_sop);
      auto drop = [&](std::multimap<std::string, std::string>& m, const std::string& key) {
        auto [b, e] = m.equal_range(key);
        for (auto i = b; i != e; ++i)
          if (i->second == old.study_uid) {
            m.erase(i);
            break;
          }
      };
      drop(by_patient_, head.patient_id);
      drop(by_accession_, head.accession_number);
      by_date_.erase({head.study_date, old.study_uid});
      studies_.erase(st);
    } else if (st->second.head_sop == sop_uid) {
      st->second.head_sop = *st->second.series.begin()->second.sops.begin();
    }
  }
  instances_.erase(it);
}

void DicomIndex::insert_locked(const InstanceRecord& record) {
  erase_locked(record.sop_uid);
  instances_[record.sop_uid] = record;
  Study& study = studies_[record.study_uid];
  if (!study.head_sop.empty()) {
    // Re-key the study under the newest instance's patient/accession/date.
    const InstanceRecord& old = instances_.at(study.head_sop);
    auto drop = [&](std::multimap<std::string, std::string>& m, const std::string& key) {
      auto [b, e] = m.equal_range(key);
      for (auto i = b; i != e; ++i)
        if (i->second == record.study_uid) {
          m.erase(i);
          break;
        }
    };
    drop(by_patient_, old.patient_id);
    drop(by_accession_, old.accession_number);
    by_date_.erase({old.study_date, record.study_uid});
  }
  study.head_sop = record.sop_uid;
  Series& series = study.series[record.series_uid];
  series.sops.insert(record.sop_uid);
  series.head_sop = record.sop_uid;
  ++study.instance_count;
  by_patient_.emplace(record.patient_id, record.study_uid);
  if (!record.accession_number.empty())
    by_accession_.emplace(record.accession_number, record.study_uid);
  by_date_.insert({record.study_date, record.study_uid});
}

std::optional<InstanceRecord> DicomIndex::instance(const std::string& sop_uid) const {
  std::shared_lock lock(mutex_);
  auto it = instances_.find(sop_uid);
  if (it == instances_.end())
    return std::nullopt;
  return it->second;
}

StudySummary DicomIndex::summarize(const Study& study) const {
  StudySummary s;
  s.head = instances_.at(study.head_sop);
  s.series_count = study.series.size();
  s.instance_count = study.instance_count;
  for (const auto& [uid, series] : study.series) {
    const std::string& m = instances_.at(series.head_sop).modality;
    if (!m.empty())
      s.modalities.insert(m);
  }
  return s;
}

std::optional<StudySummary> DicomIndex::study(const std::string& study_uid) const {
  std::shared_lock lock(mutex_);
  auto it = studies_.find(study_uid);
  if (it == studies_.end())
    return std::nullopt;
  return summarize(it->second);
}

std::size_t DicomIndex::instance_count() const {
  std::shared_lock lock(mutex_);
  return instances_.size();
}

std::size_t DicomIndex::study_count() const {
  std::shared_lock lock(mutex_);
  return studies_.size();
}

bool DicomIndex::study_matches(const Study& study, const StudyQuery& q) const {
  const InstanceRecord& h = instances_.at(study.head_sop);
  if (!q.study_uids.empty() && !in_list(q.study_uids, h.study_uid))
    return false;
  if (q.patient_id && !wildcard_match(*q.patient_id, h.patient_id))
    return false;
  if (q.patient_name && !person_name_match(*q.patient_name, h.patient_name))
    return false;
  if (q.study_date && !date_in(*q.study_date, h.study_date))
    return false;
  if (q.accession_number && !wildcard_match(*q.accession_number, h.accession_number))
    return false;
  if (q.study_id && !wildcard_match(*q.study_id, h.study_id))
    return false;
  if (!q.modalities.empty()) {
    bool any = false;
    for (const auto& [uid, series] : study.series)
      if (in_list(q.modalities, instances_.at(series.head_sop).modality))
        any = true;
    if (!any)
      return false;
  }
  return true;
}

// Visits matching studies newest first, using the most selective index available, so a
// query by study UID, patient id or accession number never walks the whole index; only an
// unfiltered (or name-only) query walks the date order, and stops once its page is full.
template <typename Visit>
void DicomIndex::for_each_candidate_study(const StudyQuery& q, Visit visit) const {
  auto visit_sorted = [&](std::vector<std::string> uids) {
    std::vector<std::pair<std::string, std::string>> keyed;
    for (auto& uid : uids) {
      auto it = studies_.find(uid);
      if (it != studies_.end())
        keyed.emplace_back(instances_.at(it->second.head_sop).study_date, uid);
    }
    std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    keyed.erase(std::unique(keyed.begin(), keyed.end()), keyed.end());
    for (const auto& [date, uid] : keyed) {
      const Study& s = studies_.at(uid);
      if (study_matches(s, q) && !visit(s))
        return;
    }
  };
  auto is_exact = [](const std::string& v) { return v.find_first_of("*?") == std::string::npos; };
  if (!q.study_uids.empty())
    return visit_sorted(q.study_uids);
  auto from_map = [&](const std::multimap<std::string, std::string>& m, const std::string& key) {
    std::vector<std::string> uids;
    auto [b, e] = m.equal_range(key);
    for (auto i = b; i != e; ++i)
      uids.push_back(i->second);
    visit_sorted(std::move(uids));
  };
  if (q.patient_id && is_exact(*q.patient_id))
    return from_map(by_patient_, *q.patient_id);
  if (q.accession_number && is_exact(*q.accession_number))
    return from_map(by_accession_, *q.accession_number);
  auto begin = by_date_.rbegin(), end = by_date_.rend();
  if (q.study_date && !q.study_date->to.empty()) {
    // First element after the range end, in reverse order.
    begin = std::make_reverse_iterator(by_date_.lower_bound({q.study_date->to + "\x7f", ""}));
  }
  // Newest date first; equal dates by UID (reverse iteration gives descending UIDs, which
  // is a stable order too).
  for (auto it = begin; it != end; ++it) {
    if (q.study_date && !q.study_date->from.empty() && it->first < q.study_date->from)
      break;
    const Study& s = studies_.at(it->second);
    if (study_matches(s, q) && !visit(s))
      return;
  }
}

std::vector<StudySummary> DicomIndex::find_studies(const StudyQuery& q) const {
  std::shared_lock lock(mutex_);
  std::vector<StudySummary> out;
  std::size_t skipped = 0;
  if (q.limit == 0)
    return out;
  for_each_candidate_study(q, [&](const Study& s) {
    if (skipped < q.offset)
      return ++skipped, true;
    out.push_back(summarize(s));
    return out.size() < q.limit;
  });
  return out;
}

std::vector<SeriesSummary> DicomIndex::find_series(const SeriesQuery& q) const {
  std::shared_lock lock(mutex_);
  std::vector<SeriesSummary> out;
  std::size_t skipped = 0;
  if (q.limit == 0)
    return out;
  for_each_candidate_study(q.study, [&](const Study& s) {
    std::vector<const Series*> ordered;
    for (const auto& [uid, series] : s.series)
      ordered.push_back(&series);
    std::stable_sort(ordered.begin(), ordered.end(), [&](const Series* a, const Series* b) {
      return number_or_max(instances_.at(a->head_sop).series_number) <
             number_or_max(instances_.at(b->head_sop).series_number);
    });
    for (const Series* series : ordered) {
      const InstanceRecord& h = instances_.at(series->head_sop);
      if (!in_list(q.series_uids, h.series_uid) || !in_list(q.modalities, h.modality))
        continue;
      if (q.series_number && h.series_number != *q.series_number)
        continue;
      if (skipped < q.offset) {
        ++skipped;
        continue;
      }
      out.push_back({h, series->sops.size()});
      if (out.size() >= q.limit)
        return false;
    }
    return true;
  });
  return out;
}

std::vector<InstanceRecord> DicomIndex::find_instances(const InstanceQuery& q) const {
  std::shared_lock lock(mutex_);
  std::vector<InstanceRecord> out;
  std::size_t skipped = 0;
  if (q.limit == 0)
    return out;
  const SeriesQuery& sq = q.series;
  for_each_candidate_study(sq.study, [&](const Study& s) {
    for (const auto& [series_uid, series] : s.series) {
      const InstanceRecord& h = instances_.at(series.head_sop);
      if (!in_list(sq.series_uids, h.series_uid) || !in_list(sq.modalities, h.modality))
        continue;
      if (sq.series_number && h.series_number != *sq.series_number)
        continue;
      std::vector<const InstanceRecord*> ordered;
      for (const auto& sop : series.sops)
        ordered.push_back(&instances_.at(sop));
      std::stable_sort(ordered.begin(), ordered.end(), [](auto* a, auto* b) {
        return number_or_max(a->instance_number) < number_or_max(b->instance_number);
      });
      for (const InstanceRecord* r : ordered) {
        if (!in_list(q.sop_uids, r->sop_uid) || !in_list(q.sop_class_uids, r->sop_class_uid))
          continue;
        if (q.instance_number && r->instance_number != *q.instance_number)
          continue;
        if (skipped < q.offset) {
          ++skipped;
          continue;
        }
        out.push_back(*r);
        if (out.size() >= q.limit)
          return false;
      }
    }
    return true;
  });
  return out;
}

std::vector<InstanceRecord> DicomIndex::instances_of(const std::string& study_uid,
                                                     const std::string& series_uid,
                                                     std::size_t limit) const {
  InstanceQuery q;
  q.series.study.study_uids = {study_uid};
  if (!series_uid.empty())
    q.series.series_uids = {series_uid};
  q.limit = limit;
  return find_instances(q);
}

}  // namespace hareyaka::gateway::dicom
