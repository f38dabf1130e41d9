// A patient's locator entry: what the portal keeps about where this patient's data is (which
// categories this gateway holds, per category the date range and count, the document ids,
// the imaging study ids) without any of the data itself, plus the last-change time and a
// digest of the content. Computed from the storage index (and the DICOM index, through a
// hook), never from the files themselves, so it is cheap to compute for every patient at a
// resynchronisation.
//
// Content (the digest is the SHA-256 of content.dump(), keys sorted by nlohmann::json):
//   {"categories": {"<data API category>": {"count": n, "first": "YYYY-MM-DD", "last": ...}},
//    "documents": ["<document id>", ...],
//    "studies": [{"study_uid": "...", "date": "YYYY-MM-DD", "modality": "CT"}, ...]}
// Categories are the gateway data API's names ("encounters", "prescriptions", "radiology",
// ..., "documents"); "count" counts shown files (messages), "first"/"last" are absent when
// every file of the category is dateless (diagnoses, allergies).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "gateway/storage/storage_index.hpp"

namespace hareyaka::gateway::publish {

struct StudyRef {
  std::string study_uid;
  std::uint32_t date = 0;  // yyyymmdd, 0 when unknown
  std::string modality;
};

// The imaging studies of a patient. Empty (no function) unless a DICOM index is configured:
// the daemon sets it (PublisherSettings::studies) to a lookup in the DICOM index. Whoever
// stores a new study should call Publisher::patient_changed(patient_id) so the entry goes
// out at once; otherwise the next resynchronisation (at most resync_interval) sends it.
using StudyLookup = std::function<std::vector<StudyRef>(const std::string& patient_id)>;

// Records a gateway holds besides its SS-MIX2 and DICOM files (a hosted pharmacy's
// dispensings, gateway/hosted/): per data API category, the date (yyyymmdd, 0 when unknown) of
// each record. Empty (no function): none.
using ExtraRecords =
    std::function<std::map<std::string, std::vector<std::uint32_t>>(const std::string& patient_id)>;

struct LocatorEntry {
  nlohmann::json content;
  std::string digest;               // sha256_hex(content.dump())
  std::int64_t last_change_ms = 0;  // newest modification time of the files it counts
};

// nullopt when the index does not know the patient.
std::optional<LocatorEntry> locator_entry(const storage::StorageIndex& index,
                                          const StudyLookup& studies, const std::string& patient_id,
                                          const ExtraRecords& extra = {});

// The digest of an entry's content as the portal recomputes it.
std::string locator_digest(const nlohmann::json& content);

// "2026-11-24T04:30:00.123Z" <-> milliseconds since the epoch (UTC).
std::string format_utc_ms(std::int64_t ms);
std::optional<std::int64_t> parse_utc_ms(const std::string& text);

}  // namespace hareyaka::gateway::publish
