// The gateway's index of stored DICOM instances: patients → studies → series → instances,
// in memory, with lookups by study UID (what SS-MIX2 OMG-11 results carry), patient id,
// accession number and study date, and paged matching for QIDO-RS.
//
// Persistence: an append-only journal of records (JSON lines) beside the files. The files
// are the truth: the journal is a cache that makes restarts fast, and DicomStore::rescan()
// rebuilds it from the files when it is missing or damaged. Thread-safe.
#pragma once

#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "gateway/dicom/record.hpp"

namespace hareyaka::gateway::dicom {

struct DateRange {
  std::string from;  // YYYYMMDD or empty (open)
  std::string to;    // YYYYMMDD or empty (open)
};

// Every criterion is optional; lists (uids, modalities) match any of their values.
struct StudyQuery {
  std::vector<std::string> study_uids;
  std::optional<std::string> patient_id;
  std::optional<std::string> patient_name;  // PN with * and ? wildcards, case-insensitive
  std::optional<DateRange> study_date;
  std::vector<std::string> modalities;  // ModalitiesInStudy / Modality
  std::optional<std::string> accession_number;
  std::optional<std::string> study_id;
  std::size_t offset = 0;
  std::size_t limit = 100;
};

struct SeriesQuery {
  StudyQuery study;  // study-level criteria (study_uids from the path); its paging is unused
  std::vector<std::string> series_uids;
  std::vector<std::string> modalities;
  std::optional<std::string> series_number;
  std::size_t offset = 0;
  std::size_t limit = 100;
};

struct InstanceQuery {
  SeriesQuery series;  // criteria above the instance level; its paging is unused
  std::vector<std::string> sop_uids;
  std::vector<std::string> sop_class_uids;
  std::optional<std::string> instance_number;
  std::size_t offset = 0;
  std::size_t limit = 100;
};

struct StudySummary {
  InstanceRecord head;  // patient and study attributes (from the latest instance received)
  std::set<std::string> modalities;
  std::size_t series_count = 0;
  std::size_t instance_count = 0;
};

struct SeriesSummary {
  InstanceRecord head;  // series attributes (from the latest instance received)
  std::size_t instance_count = 0;
};

class DicomIndex {
 public:
  // Opens (and loads) the journal at journal_path; creates it on the first add().
  explicit DicomIndex(std::filesystem::path journal_path);
  ~DicomIndex();
  DicomIndex(const DicomIndex&) = delete;
  DicomIndex& operator=(const DicomIndex&) = delete;

  // False when the journal was missing or had unreadable lines at load: the caller should
  // rescan the storage folder.
  bool loaded_cleanly() const { return loaded_cleanly_; }

  // Adds or replaces (by SOP Instance UID) and appends to the journal.
  // Why `record` may not join the index, or nullopt: every instance of a study belongs to
  // one patient (patient id and issuer), and a SOP Instance UID already stored stays with
  // its study and patient. A conflicting instance would otherwise move a study, and what
  // WADO serves under it, to another patient.
  std::optional<std::string> conflict(const InstanceRecord& record) const;
  // Adds or replaces (a replaced instance moves with its new record). DicomStore asks
  // conflict() first, under its placing lock, and never adds what it refuses.
  void add(const InstanceRecord& record);
  // Replaces everything (after a rescan) and rewrites the journal atomically.
  void replace_all(const std::vector<InstanceRecord>& records);

  std::optional<InstanceRecord> instance(const std::string& sop_uid) const;
  std::optional<StudySummary> study(const std::string& study_uid) const;
  std::size_t instance_count() const;
  std::size_t study_count() const;

  // Matching, newest study date first, then by UID; at most query.limit results.
  std::vector<StudySummary> find_studies(const StudyQuery& query) const;
  std::vector<SeriesSummary> find_series(const SeriesQuery& query) const;
  std::vector<InstanceRecord> find_instances(const InstanceQuery& query) const;

  // All instances of a study (optionally one series), ordered by series then instance
  // number; bounded by limit.
  std::vector<InstanceRecord> instances_of(const std::string& study_uid,
                                           const std::string& series_uid = {},
                                           std::size_t limit = 100000) const;

 private:
  struct Series {
    std::set<std::string> sops;
    std::string head_sop;
  };
  struct Study {
    std::map<std::string, Series> series;
    std::string head_sop;
    std::size_t instance_count = 0;
  };

  void load();
  void insert_locked(const InstanceRecord& record);
  void erase_locked(const std::string& sop_uid);
  void write_journal_line(const InstanceRecord& record);
  bool study_matches(const Study& study, const StudyQuery& q) const;
  template <typename Visit>
  void for_each_candidate_study(const StudyQuery& q, Visit visit) const;
  StudySummary summarize(const Study& study) const;

  std::filesystem::path journal_path_;
  std::FILE* journal_ = nullptr;
  bool loaded_cleanly_ = true;
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, InstanceRecord> instances_;
  std::unordered_map<std::string, Study> studies_;
  std::multimap<std::string, std::string> by_patient_;     // patient id → study uid
  std::multimap<std::string, std::string> by_accession_;   // accession number → study uid
  std::set<std::pair<std::string, std::string>> by_date_;  // (study date, study uid)
};

// DICOM wildcard matching (* any run, ? one character), case-insensitive for ASCII, on UTF-8.
bool wildcard_match(std::string_view pattern, std::string_view value);

// Person-name matching: the pattern against the whole value and against each component
// group (alphabetic, ideographic, phonetic).
bool person_name_match(std::string_view pattern, std::string_view value);

}  // namespace hareyaka::gateway::dicom
