// Record queries: what the portal asks a gateway for, answered from the storage index and
// the files (parsed files kept in an optional ParsedFiles cache; without one, re-read per
// request). Plain functions returning
// the data API's JSON, so they are tested without HTTP; the HTTP layer maps a nullopt /
// empty result to 404 and parses query parameters into RecordQuery.
//
// Response of a category: {"patient_id","category","items":[model JSON...],"offset","limit",
//   "next_offset" (null on the last page),"unreadable_files" (files that changed into
//   something unusable since they were indexed)}
// Demographics: {"patient_id","patient": Patient JSON} (from the newest current ADT-00).
// Dated categories filter on the SS-MIX2 date (診療日) of the file; diagnoses on their start.
// Allergies: ADT-61 lists, or the ADT-00 AL1 segments when there is no ADT-61.
// Encounters: a cancellation message stays listed ("cancelled": true) and the event it
// cancels on the same page gets "status": "cancelled".
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "gateway/record/parsed_files.hpp"
#include "gateway/storage/storage_index.hpp"
#include "proto/ssmix2/data_type.hpp"

namespace hareyaka::gateway::record {

inline constexpr std::size_t kDefaultLimit = 50;
inline constexpr std::size_t kMaxLimit = 500;

struct RecordQuery {
  std::uint32_t from = 0;  // yyyymmdd inclusive, 0 = open
  std::uint32_t to = 0;    // yyyymmdd inclusive, 0 = open
  std::size_t offset = 0;
  std::size_t limit = kDefaultLimit;  // capped at kMaxLimit
};

// Parses "2011-12-20" or "20111220"; nullopt when invalid.
std::optional<std::uint32_t> parse_query_date(std::string_view text);

// The categories the data API serves, by URL name ("prescriptions", "lab_results", ...,
// plus "documents"); "demographics" is served by demographics().
bool is_category_name(std::string_view name);

std::optional<nlohmann::json> demographics(const storage::StorageIndex& index,
                                           const std::string& patient_id,
                                           ParsedFiles* cache = nullptr);
// nullopt: unknown patient or category.
std::optional<nlohmann::json> category(const storage::StorageIndex& index,
                                       const std::string& patient_id, std::string_view name,
                                       const RecordQuery& query, ParsedFiles* cache = nullptr);

struct DocumentFile {
  std::string path;  // absolute, for streaming
  std::string media_type;
  std::uint64_t size = 0;
};
std::optional<DocumentFile> document_file(const storage::StorageIndex& index,
                                          const std::string& patient_id, const std::string& id);

// Everything about one patient: {"patient_id","demographics":...,"<category>":<response>...}
// with each category's first page of `limit` items (what `show` prints).
std::optional<nlohmann::json> full_record(const storage::StorageIndex& index,
                                          const std::string& patient_id,
                                          std::size_t limit = kMaxLimit);

// {"items":[{"storage","path","severity","reason"}],"offset","limit","next_offset"}
nlohmann::json problems(const storage::StorageIndex& index, std::size_t offset, std::size_t limit,
                        bool include_warnings = true);
// {"patients","current_files","documents","errors","warnings","by_type":{...},"following":{...}}
nlohmann::json stats(const storage::StorageIndex& index);

}  // namespace hareyaka::gateway::record
