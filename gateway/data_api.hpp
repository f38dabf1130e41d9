// The gateway's data API for the portal (mutual TLS): a patient's demographics, each
// category, and documents streamed from the storage. Every patient request must carry a
// valid access assertion for this gateway, this patient and this category; every attempt,
// allowed or refused, is written to the local audit first.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/assertion.hpp"
#include "common/peer_allowlist.hpp"
#include "common/router.hpp"
#include "gateway/directory/directory_cache.hpp"
#include "gateway/local_audit.hpp"
#include "gateway/record/parsed_files.hpp"
#include "gateway/record/record_query.hpp"
#include "gateway/storage/storage_index.hpp"

namespace hareyaka::gateway {

struct DataApiSettings {
  std::string facility_oid;       // assertions must be addressed to it
  std::string patient_authority;  // the assigning authority of this gateway's patient ids
  UnknownUserPolicy unknown_users = UnknownUserPolicy::kAfterFirstPull;
};

struct DataApiParts {
  const storage::StorageIndex& index;
  const AssertionVerifier& verifier;
  LocalAudit& audit;
  DataApiSettings settings;
  // The pulled network directory: names the viewer in the audit, refuses unknown/disabled
  // users (settings.unknown_users). Null: no directory (no portal configured).
  const DirectoryCache* directory = nullptr;
  // Parsed files shared by the requests (gateway/record/parsed_files.hpp). Null: every
  // request reads and parses its files.
  record::ParsedFiles* parsed_files = nullptr;
  // Who may read /gw/v1/problems and /gw/v1/stats (never null).
  const http::PeerAllowlist* readers = nullptr;
  // Records besides the SS-MIX2 files (a hosted pharmacy's dispensings, gateway/hosted/): a
  // category's items of a patient, each with its "date", merged into that category's pages
  // newest first. Empty: none.
  std::function<std::vector<nlohmann::json>(const std::string& patient_id,
                                            std::string_view category)>
      supplement;
  // Documents besides the SS-MIX2 extended storage's (a hosted facility's FHIR document
  // Bundles): asked for an id the index does not hold. Empty: none.
  std::function<std::optional<record::DocumentFile>(const std::string& patient_id,
                                                    const std::string& document_id)>
      document;
};

void add_data_routes(http::Router& router, DataApiParts parts);

}  // namespace hareyaka::gateway
